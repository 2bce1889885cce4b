import type { FileRef, NodeErrors, UiOutput, ValidationErrorItem } from '@piagraph/graph-core';
import type { ServerMessage } from '../api/messages.js';

/** A file a node produced, ready to show. */
export interface MediaItem {
  url: string;
  kind: 'video' | 'image';
  filename: string;
  mime?: string;
}

/** An error attributed to a node, and to some of its inputs when validation named them. */
export interface NodeErrorInfo {
  message: string;
  /** Messages by input name. */
  inputs: Record<string, string>;
}

export type NodePhase = 'idle' | 'running' | 'done' | 'cached' | 'error';

/** What one node shows about the current run. */
export interface NodeRunState {
  phase: NodePhase;
  progress?: { value: number; max: number };
  /** Object URL of the latest sampler preview frame. */
  previewUrl?: string;
  outputs?: MediaItem[];
  text?: string;
  error?: NodeErrorInfo;
  ms?: number;
}

/**
 * The run status the whole editor shows, for the open graph only: node states, previews and messages come from the
 * prompts queued from that graph (`owned`), so another graph, another tab or another client's job never lights up
 * its nodes, and opening a graph starts clean.
 */
export interface RunState {
  /** The owned prompt running now (or last run). */
  promptId?: string;
  /** Prompts queued from the open graph; events of any other prompt leave the nodes alone. */
  owned: readonly string[];
  /** The node running now (previews without a node id belong to it). */
  executing?: string;
  running: boolean;
  queueRemaining: number;
  /** A line for the status bar. */
  message?: string;
  nodes: Readonly<Record<string, NodeRunState>>;
  /** Counts the times files in `input/` may have changed (an upload, a finished prompt), so thumbnails reload. */
  inputsRevision: number;
}

/** Things the editor itself reports, beside server messages. */
export type LocalAction =
  /** The open graph is being queued under this (client-chosen) prompt id: its events belong here from now on. */
  | { type: 'submitted'; promptId: string }
  | { type: 'queued'; promptId: string }
  | { type: 'rejected'; promptId?: string; error: ValidationErrorItem; nodeErrors: NodeErrors }
  /** Another graph was opened: nothing of the previous graph's runs shows on it. */
  | { type: 'document_opened' }
  | { type: 'preview'; nodeId?: string; promptId?: string; url: string }
  | { type: 'text'; nodeId: string; text: string }
  | { type: 'clear_errors' }
  /** The editor stored a file in `input/`. */
  | { type: 'inputs_changed' };

export const initialRunState: RunState = { owned: [], running: false, queueRemaining: 0, nodes: {}, inputsRevision: 0 };

/** How many of the open graph's prompt ids are remembered (enough for any queue a user builds by hand). */
const OWNED_LIMIT = 200;

const IDLE: NodeRunState = { phase: 'idle' };
const VIDEO_EXT = /\.(mp4|webm|mov|mkv|m4v)$/i;

/** The `/view` URL of a file a node produced. */
export function viewUrl(file: Pick<FileRef, 'filename' | 'subfolder' | 'type'>): string {
  const q = new URLSearchParams({ filename: file.filename, type: file.type ?? 'output', subfolder: file.subfolder ?? '' });
  return `/view?${q.toString()}`;
}

/**
 * The media a UI dict lists: `gifs` (VHS), `images` (with `animated`), `video`; a `video/*` format or a video
 * extension plays in `<video>`, everything else (PNG, WebP, GIF) in `<img>`. A file listed under two keys (PIA's
 * Save Video reports its GIF as both `gifs` and `images`) shows once, as its first listing says.
 */
export function mediaFromUi(ui: UiOutput | null | undefined): MediaItem[] {
  if (!ui) return [];
  const items: MediaItem[] = [];
  for (const key of ['gifs', 'video', 'videos', 'images']) {
    for (const entry of ui[key] ?? []) {
      if (!entry || typeof entry !== 'object' || typeof (entry as FileRef).filename !== 'string') continue;
      const file = entry as FileRef;
      const url = viewUrl(file);
      if (items.some((item) => item.url === url)) continue;
      const isVideo = (typeof file.format === 'string' && file.format.startsWith('video/')) || VIDEO_EXT.test(file.filename);
      items.push({
        url,
        kind: isVideo ? 'video' : 'image',
        filename: file.filename,
        ...(typeof file.format === 'string' ? { mime: file.format } : {}),
      });
    }
  }
  return items;
}

function patchNode(state: RunState, id: string, patch: Partial<NodeRunState>): RunState {
  const prev = state.nodes[id] ?? IDLE;
  return { ...state, nodes: { ...state.nodes, [id]: { ...prev, ...patch } } };
}

function errorsFromValidation(nodeErrors: NodeErrors): Record<string, NodeRunState> {
  const nodes: Record<string, NodeRunState> = {};
  for (const [id, entry] of Object.entries(nodeErrors)) {
    const inputs: Record<string, string> = {};
    const lines: string[] = [];
    for (const e of entry.errors) {
      const text = e.details ? `${e.message}: ${e.details}` : e.message;
      const input = e.extra_info?.input_name;
      if (input) inputs[input] = text;
      lines.push(text);
    }
    nodes[id] = { phase: 'error', error: { message: lines.join('\n'), inputs } };
  }
  return nodes;
}

/** Starts a run: every node back to idle, outputs of earlier runs kept until replaced. */
function startRun(state: RunState, promptId: string): RunState {
  const nodes: Record<string, NodeRunState> = {};
  for (const [id, s] of Object.entries(state.nodes)) {
    if (s.outputs) nodes[id] = { phase: 'idle', outputs: s.outputs };
  }
  return { ...state, promptId, running: true, message: 'Running', nodes };
}

/** Whether an event of `promptId` concerns the open graph: one of its prompts, and the one running if any. */
function isOther(state: RunState, promptId: string | undefined): boolean {
  if (promptId === undefined || !state.owned.includes(promptId)) return true;
  return state.promptId !== undefined && state.running && promptId !== state.promptId;
}

/** Whether an event without a prompt id (a bare preview or text frame) may be given to the open graph. */
function ownedRunActive(state: RunState): boolean {
  return state.running && state.promptId !== undefined && state.owned.includes(state.promptId);
}

/** Applies a server message or a local action to the run state. Pure. */
export function reduceRun(state: RunState, msg: ServerMessage | LocalAction): RunState {
  switch (msg.type) {
    case 'status': {
      const remaining = msg.data.status?.exec_info?.queue_remaining;
      return typeof remaining === 'number' ? { ...state, queueRemaining: remaining } : state;
    }
    case 'submitted':
      return state.owned.includes(msg.promptId) ? state : { ...state, owned: [...state.owned, msg.promptId].slice(-OWNED_LIMIT) };
    case 'queued':
      return { ...state, message: `Queued ${msg.promptId.slice(0, 8)}` };
    case 'rejected': {
      const owned = msg.promptId === undefined ? state.owned : state.owned.filter((id) => id !== msg.promptId);
      return { ...state, owned, message: msg.error.message, nodes: { ...state.nodes, ...errorsFromValidation(msg.nodeErrors) } };
    }
    case 'document_opened': {
      const { promptId: _p, executing: _e, message: _m, ...rest } = state;
      return { ...rest, owned: [], running: false, nodes: {} };
    }
    case 'clear_errors': {
      const nodes: Record<string, NodeRunState> = {};
      for (const [id, s] of Object.entries(state.nodes)) {
        nodes[id] = s.phase === 'error' ? { phase: 'idle', ...(s.outputs ? { outputs: s.outputs } : {}) } : s;
      }
      return { ...state, nodes };
    }
    case 'execution_start':
      if (!state.owned.includes(msg.data.prompt_id)) return state;
      return startRun(state, msg.data.prompt_id);
    case 'execution_cached': {
      if (isOther(state, msg.data.prompt_id)) return state;
      let next = state;
      for (const id of msg.data.nodes) next = patchNode(next, id, { phase: 'cached' });
      return next;
    }
    case 'executing': {
      if (isOther(state, msg.data.prompt_id)) return state;
      const node = msg.data.node;
      if (node === null) {
        const { executing: _done, ...rest } = state;
        return { ...rest, running: false };
      }
      return patchNode({ ...state, executing: node, running: true }, node, { phase: 'running' });
    }
    case 'progress':
      if (isOther(state, msg.data.prompt_id)) return state;
      return patchNode(state, msg.data.node, { phase: 'running', progress: { value: msg.data.value, max: msg.data.max } });
    case 'executed': {
      if (isOther(state, msg.data.prompt_id)) return state;
      const outputs = mediaFromUi(msg.data.output);
      const text = msg.data.output?.text?.map(String).join('\n');
      const prev = state.nodes[msg.data.node];
      return patchNode(state, msg.data.node, {
        phase: prev?.phase === 'cached' ? 'cached' : 'done',
        ...(outputs.length ? { outputs } : {}),
        ...(text ? { text } : {}),
      });
    }
    case 'node_finished':
      if (isOther(state, msg.data.prompt_id)) return state;
      return patchNode(state, msg.data.node, { phase: msg.data.cached ? 'cached' : 'done', ms: msg.data.ms });
    case 'progress_text':
      if (isOther(state, msg.data.prompt_id)) return state;
      return patchNode(state, msg.data.node, { text: msg.data.text });
    case 'text':
      return ownedRunActive(state) ? patchNode(state, msg.nodeId, { text: msg.text }) : state;
    case 'preview': {
      if (msg.promptId !== undefined ? isOther(state, msg.promptId) : !ownedRunActive(state)) return state;
      const node = msg.nodeId ?? state.executing;
      return node ? patchNode(state, node, { previewUrl: msg.url }) : state;
    }
    case 'execution_success':
      if (isOther(state, msg.data.prompt_id)) return state;
      return { ...state, message: 'Done' };
    case 'execution_error': {
      if (isOther(state, msg.data.prompt_id)) return state;
      const next = patchNode(state, msg.data.node_id, {
        phase: 'error',
        error: { message: `${msg.data.exception_type}: ${msg.data.exception_message}`, inputs: {} },
      });
      return { ...next, message: `Error in ${msg.data.node_type} #${msg.data.node_id}` };
    }
    case 'execution_interrupted':
      if (isOther(state, msg.data.prompt_id)) return state;
      return { ...state, message: 'Interrupted', running: false };
    case 'inputs_changed':
      return { ...state, inputsRevision: state.inputsRevision + 1 };
    case 'prompt_done': {
      // Any prompt may have written into input/ (a pack's demo picture, a node that saves there).
      const refreshed = { ...state, inputsRevision: state.inputsRevision + 1 };
      return isOther(state, msg.data.prompt_id) ? refreshed : { ...refreshed, running: false };
    }
    default:
      return state;
  }
}
