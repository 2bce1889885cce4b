import type { IncomingMessage } from 'node:http';
import { BadRequestError, PayloadTooLargeError } from '../errors.js';
import { jsonNestingDepth, MAX_JSON_DEPTH } from './json-depth.js';

/**
 * The largest JSON body accepted: a prompt with its embedded UI workflow, or a graph document, is rarely over 1 MB.
 * Every step of a job (parse, store, run, history) holds the event loop for a time that grows with the prompt's
 * size; at this bound the longest such step measured under half a second on a loaded 2-core machine (a 4 MB
 * prompt echoed into its output), where 32 MB stalled every other client for several seconds.
 */
export const MAX_JSON_BODY_BYTES = 8 * 1024 * 1024;

/** Reads the whole body, refusing more than `limit` bytes with a 413. */
export async function readBody(req: IncomingMessage, limit = MAX_JSON_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    throw new PayloadTooLargeError(`Request body of ${declared} bytes is over the limit of ${limit} bytes (${limit / 1024 / 1024} MiB)`, limit);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > limit) {
      req.resume();
      throw new PayloadTooLargeError(`Request body is over the limit of ${limit} bytes (${limit / 1024 / 1024} MiB)`, limit);
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

/**
 * Parses the body as JSON whatever its Content-Type: `@saintno/comfyui-sdk` replaces the headers of every request,
 * so its prompts arrive as `text/plain`, and ComfyUI accepts them. An empty body yields `undefined`.
 */
export async function readJson(req: IncomingMessage): Promise<unknown> {
  const raw = await readBody(req);
  const text = raw.toString('utf8').trim();
  if (text.length === 0) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch (err) {
    throw new BadRequestError('invalid_json', 'Request body is not valid JSON', (err as Error).message);
  }
  const depth = jsonNestingDepth(text, MAX_JSON_DEPTH);
  if (depth > MAX_JSON_DEPTH) {
    throw new BadRequestError(
      'json_too_deep',
      `Request body nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep; no graph, workflow or extra_data needs that many`,
      '',
      { max_depth: MAX_JSON_DEPTH },
    );
  }
  return value;
}

/** Reads a JSON body that must be an object (or absent, when `optional`). */
export async function readJsonObject(req: IncomingMessage, optional = false): Promise<Record<string, unknown>> {
  const body = await readJson(req);
  if (body === undefined && optional) return {};
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    const got = body === undefined ? 'an empty body' : Array.isArray(body) ? 'an array' : `a ${typeof body}`;
    throw new BadRequestError('invalid_body', `Request body must be a JSON object, got ${got}`);
  }
  return body as Record<string, unknown>;
}
