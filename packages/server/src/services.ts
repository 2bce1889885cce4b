import type { NodeRegistry } from '@piagraph/graph-core';
import type { Device } from '@piagraph/nodes-pia';
import type { DataDirs } from './files/data-dirs.js';
import type { GraphStore } from './graphs/graph-store.js';
import type { JobStore } from './jobs/job-store.js';
import type { Worker } from './jobs/worker.js';
import type { WsHub } from './ws/ws-hub.js';

/** Everything the route handlers share, built once by `startServer`. */
export interface ServerServices {
  dirs: DataDirs;
  registry: NodeRegistry;
  store: JobStore;
  graphs: GraphStore;
  worker: Worker;
  hub: WsHub;
  maxUploadBytes: number;
  /** The onnxruntime device the PIA pack runs on, reported by `system_stats`. */
  device: Device;
  /** The argv `system_stats` reports. */
  argv: string[];
}
