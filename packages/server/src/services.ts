import type { NodeRegistry } from '@piagraph/graph-core';
import type { DataDirs } from './files/data-dirs.js';
import type { GraphStore } from './graphs/graph-store.js';
import type { JobStore } from './jobs/job-store.js';
import type { JobRunner } from './jobs/job-runner.js';
import type { WsHub } from './ws/ws-hub.js';

/** Everything the route handlers share, built once by `startServer`. */
export interface ServerServices {
  dirs: DataDirs;
  registry: NodeRegistry;
  store: JobStore;
  graphs: GraphStore;
  /** The in-process worker, or the distributed mode's dispatcher. */
  worker: JobRunner;
  hub: WsHub;
  maxUploadBytes: number;
  /** The onnxruntime device the PIA pack runs on, reported by `system_stats`. */
  device: 'cpu' | 'cuda';
  /** The argv `system_stats` reports. */
  argv: string[];
}
