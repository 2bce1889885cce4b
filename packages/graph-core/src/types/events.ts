/**
 * Execution events, with ComfyUI's names and `data` fields, plus `node_finished` (which ComfyUI lacks).
 * The server forwards them over the WebSocket as `{ type, data }`; `preview` becomes a binary frame.
 */

/** One file a node produced, as ComfyUI's UI dict lists it. */
export interface FileRef {
  filename: string;
  subfolder: string;
  type: 'output' | 'temp' | 'input';
  /** VHS-style extras on video outputs (`format: "video/h264-mp4"`, `frame_rate`). */
  format?: string;
  frame_rate?: number;
  [key: string]: unknown;
}

/** A node's UI dict (`images`, `gifs`, `animated`, `text`, …) as sent in `executed` and kept in history. */
export type UiOutput = Record<string, unknown[]>;

export interface PreviewImage {
  format: 'jpeg' | 'png' | 'webp';
  data: Uint8Array;
}

export interface ExecutionStartData {
  prompt_id: string;
  timestamp: number;
}
export interface ExecutionCachedData {
  nodes: string[];
  prompt_id: string;
  timestamp: number;
}
export interface ExecutingData {
  /** `null` marks the end of the prompt (ComfyUI's canonical "done" signal; sent by the server). */
  node: string | null;
  display_node?: string;
  prompt_id: string;
}
export interface ProgressData {
  value: number;
  max: number;
  prompt_id: string;
  node: string;
}
export interface ExecutedData {
  node: string;
  display_node: string;
  output: UiOutput | null;
  prompt_id: string;
}
export interface ExecutionSuccessData {
  prompt_id: string;
  timestamp: number;
}
export interface ExecutionErrorData {
  prompt_id: string;
  node_id: string;
  node_type: string;
  executed: string[];
  exception_message: string;
  exception_type: string;
  traceback: string[];
  /** A short, JSON-safe summary of each input the node received. */
  current_inputs: Record<string, unknown>;
  current_outputs: string[];
  timestamp: number;
}
export interface ExecutionInterruptedData {
  prompt_id: string;
  node_id: string | null;
  node_type: string | null;
  executed: string[];
  timestamp: number;
}
export interface NodeFinishedData {
  prompt_id: string;
  node: string;
  /** Wall time of the node's run; 0 when cached. */
  ms: number;
  cached: boolean;
}
export interface ProgressTextData {
  prompt_id: string;
  node: string;
  text: string;
}
export interface PreviewData {
  prompt_id: string;
  node: string;
  image: PreviewImage;
}

/** Every event a run emits, discriminated by `type`. */
export type ExecutionEvent =
  | { type: 'execution_start'; data: ExecutionStartData }
  | { type: 'execution_cached'; data: ExecutionCachedData }
  | { type: 'executing'; data: ExecutingData }
  | { type: 'progress'; data: ProgressData }
  | { type: 'executed'; data: ExecutedData }
  | { type: 'execution_success'; data: ExecutionSuccessData }
  | { type: 'execution_error'; data: ExecutionErrorData }
  | { type: 'execution_interrupted'; data: ExecutionInterruptedData }
  | { type: 'node_finished'; data: NodeFinishedData }
  | { type: 'progress_text'; data: ProgressTextData }
  | { type: 'preview'; data: PreviewData };

export type ExecutionEventType = ExecutionEvent['type'];
