import type { ApiPrompt, GraphDocument, NodeErrors, ValidationErrorItem } from '@piagraph/graph-core';

/** The outcome of `POST /prompt`. */
export type QueueResult =
  | { ok: true; promptId: string; number: number; nodeErrors: NodeErrors }
  | { ok: false; error: ValidationErrorItem; nodeErrors: NodeErrors };

/** One entry of `GET /queue`: ComfyUI's `[number, prompt_id, prompt, extra_data, outputs]` tuple. */
export interface QueueEntry {
  number: number;
  promptId: string;
}

export interface QueueSnapshot {
  running: QueueEntry[];
  pending: QueueEntry[];
}

/** Thrown for HTTP failures that are not validation results. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`HTTP ${status}: ${body.slice(0, 200)}`);
    this.name = 'HttpError';
  }
}

async function json<T>(res: Response): Promise<T> {
  const text = await res.text();
  if (!res.ok) throw new HttpError(res.status, text);
  return (text ? JSON.parse(text) : {}) as T;
}

function post(url: string, body: unknown): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

function toEntries(items: unknown): QueueEntry[] {
  if (!Array.isArray(items)) return [];
  return items
    .filter((i): i is unknown[] => Array.isArray(i))
    .map((i) => ({ number: Number(i[0]), promptId: String(i[1]) }));
}

/** The ComfyUI-compatible HTTP routes the editor uses, relative to `base` (the page's origin by default). */
export class ApiClient {
  constructor(private readonly base = '') {}

  objectInfo(): Promise<unknown> {
    return fetch(`${this.base}/object_info`).then((r) => json(r));
  }

  /** Queues a graph document; a 400 with `node_errors` comes back as `{ ok: false }`, not as an exception. */
  async queue(
    payload: { graph: GraphDocument } | { prompt: ApiPrompt },
    clientId: string,
    options: { promptId?: string; front?: boolean } = {},
  ): Promise<QueueResult> {
    const res = await post(`${this.base}/prompt`, {
      ...payload,
      client_id: clientId,
      ...(options.promptId ? { prompt_id: options.promptId } : {}),
      ...(options.front ? { front: true } : {}),
    });
    const text = await res.text();
    const body = (text ? JSON.parse(text) : {}) as {
      prompt_id?: string;
      number?: number;
      node_errors?: NodeErrors;
      error?: ValidationErrorItem | string;
    };
    if (res.ok && body.prompt_id) {
      return { ok: true, promptId: body.prompt_id, number: body.number ?? 0, nodeErrors: body.node_errors ?? {} };
    }
    if (res.status >= 500 && !body.error) throw new HttpError(res.status, text);
    const error: ValidationErrorItem =
      typeof body.error === 'object' && body.error
        ? body.error
        : { type: 'invalid_prompt', message: String(body.error ?? `HTTP ${res.status}`), details: '', extra_info: {} };
    return { ok: false, error, nodeErrors: Array.isArray(body.node_errors) ? {} : (body.node_errors ?? {}) };
  }

  async queueSnapshot(): Promise<QueueSnapshot> {
    const body = await json<{ queue_running?: unknown; queue_pending?: unknown }>(await fetch(`${this.base}/queue`));
    return { running: toEntries(body.queue_running), pending: toEntries(body.queue_pending) };
  }

  async deleteQueued(promptIds: string[]): Promise<void> {
    await json(await post(`${this.base}/queue`, { delete: promptIds }));
  }

  async interrupt(promptId?: string): Promise<void> {
    await json(await post(`${this.base}/interrupt`, promptId ? { prompt_id: promptId } : {}));
  }

  async setPaused(paused: boolean): Promise<void> {
    await json(await post(`${this.base}/api/queue/${paused ? 'pause' : 'resume'}`, {}));
  }

  /** Uploads an image into `input/`; returns the name the server stored it under. */
  async uploadImage(file: Blob, name: string): Promise<{ name: string; subfolder: string; type: string }> {
    const form = new FormData();
    form.append('image', file, name);
    return json(await fetch(`${this.base}/upload/image`, { method: 'POST', body: form }));
  }
}
