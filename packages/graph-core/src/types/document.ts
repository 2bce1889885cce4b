import type { LiteralValue } from './api-prompt.js';

/**
 * piagraph's saved graph document: layout, values, links and metadata in one versioned JSON record.
 * It is directly executable (it converts to an `ApiPrompt` without loss of anything execution needs) and it is
 * the single truth the editor renders. Records are keyed by id so that immer patches stay stable for undo.
 */
export interface GraphDocument {
  format: 'piagraph';
  /** Schema version; older documents are migrated on load (`migrations/`). */
  version: typeof GRAPH_DOCUMENT_VERSION;
  metadata: GraphMetadata;
  nodes: Record<string, DocNode>;
  links: Record<string, DocLink>;
  groups?: Record<string, DocGroup>;
  /** Editor camera. */
  view?: { x: number; y: number; zoom: number };
}

export const GRAPH_DOCUMENT_VERSION = 1 as const;

export interface GraphMetadata {
  title?: string;
  description?: string;
  author?: string;
  createdAt?: string;
  modifiedAt?: string;
  /** Model files the graph expects, so a user can be told what is missing and where it goes. */
  models?: ModelRef[];
  [key: string]: unknown;
}

export interface ModelRef {
  /** File name as the combo widget lists it, e.g. `realisticVisionV51_v51VAE.safetensors`. */
  name: string;
  /** Folder under `models/`, e.g. `checkpoints` or `pia`. */
  folder: string;
  url?: string;
  sha256?: string;
}

/** How a node takes part in execution (litegraph modes ALWAYS, NEVER and BYPASS). */
export type NodeMode = 'active' | 'muted' | 'bypassed';

export interface DocNode {
  /** Node id; numeric strings (`"3"`) keep ComfyUI tools happy. */
  id: string;
  classType: string;
  title?: string;
  position: { x: number; y: number };
  size?: { width: number; height: number };
  /** Literal widget values by input name. A linked input keeps its last value here, unused while linked. */
  values: Record<string, LiteralValue>;
  mode?: NodeMode;
  /** Editor-only extras (seed control mode, colour, collapsed); never read by execution. */
  ui?: Record<string, unknown>;
}

export interface DocLink {
  id: string;
  source: { node: string; output: number };
  target: { node: string; input: string };
  /** The socket type the link carries (the source output's type). */
  type: string;
}

export interface DocGroup {
  id: string;
  title: string;
  bounds: { x: number; y: number; width: number; height: number };
  color?: string;
}
