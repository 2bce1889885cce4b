/**
 * @piagraph/server: the ComfyUI-compatible HTTP + WebSocket server, its SQLite job queue, and the `piagraph` CLI.
 */
export { startServer, buildRouter, defaultEditorDir, type ServerOptions, type PiagraphServer } from './server.js';
export { DEFAULT_DATA_DIR, type DataDirs } from './files/data-dirs.js';
export type { JobRecord, JobState, JobOutcome } from './jobs/job-types.js';
export type { JobStore } from './jobs/job-store.js';
export type { Worker } from './jobs/worker.js';
export type { QueueItem, HistoryItem, JobView, PublicJobStatus } from './jobs/job-views.js';
export { HttpError } from './errors.js';
export { runCli, type CliOptions } from './cli.js';
export type { CliIo } from './cli/cli-io.js';
