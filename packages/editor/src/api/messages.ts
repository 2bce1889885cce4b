import type { ExecutionEvent } from '@piagraph/graph-core';

/** The queue count the server broadcasts on every queue change (ComfyUI `status`). */
export interface StatusMessage {
  type: 'status';
  data: { status?: { exec_info?: { queue_remaining?: number } }; sid?: string };
}

/** `prompt_done`: piagraph's explicit end-of-prompt event. */
export interface PromptDoneMessage {
  type: 'prompt_done';
  data: { prompt_id: string; status?: string; [key: string]: unknown };
}

/** A JSON event from the WebSocket; execution events keep graph-core's shapes (`preview` travels as binary). */
export type ServerMessage =
  | Exclude<ExecutionEvent, { type: 'preview' }>
  | StatusMessage
  | PromptDoneMessage
  | { type: 'unknown'; event: string; data: unknown };

const KNOWN = new Set([
  'status',
  'prompt_done',
  'execution_start',
  'execution_cached',
  'executing',
  'progress',
  'executed',
  'execution_success',
  'execution_error',
  'execution_interrupted',
  'node_finished',
  'progress_text',
]);

/** Parses one text frame; malformed JSON yields undefined, unknown event names an `unknown` message. */
export function parseTextMessage(text: string): ServerMessage | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!json || typeof json !== 'object') return undefined;
  const { type, data } = json as { type?: unknown; data?: unknown };
  if (typeof type !== 'string') return undefined;
  if (!KNOWN.has(type)) return { type: 'unknown', event: type, data };
  return { type, data: (data ?? {}) as never } as ServerMessage;
}

/** A decoded binary frame. */
export type BinaryMessage =
  | { kind: 'preview'; mime: string; bytes: Uint8Array; nodeId?: string; promptId?: string }
  | { kind: 'text'; nodeId: string; text: string };

const IMAGE_FORMATS: Record<number, string> = { 1: 'image/jpeg', 2: 'image/png', 3: 'image/webp' };

/**
 * Decodes ComfyUI's binary frames: a big-endian uint32 event type, then for type 1 a uint32 image format and the
 * image, for type 3 a length-prefixed node id and UTF-8 text, for type 4 a length-prefixed JSON metadata block
 * (`node_id`, `prompt_id`, `image_type`) and the image. Other types yield undefined.
 */
export function parseBinaryFrame(buffer: ArrayBuffer): BinaryMessage | undefined {
  if (buffer.byteLength < 8) return undefined;
  const view = new DataView(buffer);
  const event = view.getUint32(0);
  if (event === 1) {
    const mime = IMAGE_FORMATS[view.getUint32(4)] ?? 'image/jpeg';
    return { kind: 'preview', mime, bytes: new Uint8Array(buffer, 8) };
  }
  if (event === 3) {
    const length = view.getUint32(4);
    if (8 + length > buffer.byteLength) return undefined;
    const decoder = new TextDecoder();
    const nodeId = decoder.decode(new Uint8Array(buffer, 8, length));
    return { kind: 'text', nodeId, text: decoder.decode(new Uint8Array(buffer, 8 + length)) };
  }
  if (event === 4) {
    const length = view.getUint32(4);
    if (8 + length > buffer.byteLength) return undefined;
    let meta: { node_id?: string; prompt_id?: string; image_type?: string } = {};
    try {
      meta = JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, 8, length)));
    } catch {
      return undefined;
    }
    return {
      kind: 'preview',
      mime: meta.image_type ?? 'image/jpeg',
      bytes: new Uint8Array(buffer, 8 + length),
      ...(meta.node_id !== undefined ? { nodeId: String(meta.node_id) } : {}),
      ...(meta.prompt_id !== undefined ? { promptId: meta.prompt_id } : {}),
    };
  }
  return undefined;
}
