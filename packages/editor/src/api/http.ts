import type { ApiPrompt, FileRef, GraphDocument, NodeErrors, UiOutput, ValidationErrorItem } from '@piagraph/graph-core';

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

/** A job of `GET /api/jobs` (queued, running or finished), as the history panel lists it. */
export interface JobSummary {
  id: string;
  status: 'pending' | 'in_progress' | 'completed' | 'failed' | 'cancelled';
  createTime: number;
  startTime: number | null;
  endTime: number | null;
  outputsCount: number;
  /** The first file an output node produced (for the thumbnail). */
  preview: FileRef | null;
  error: string | null;
}

/** One finished job's full record: its outputs and the graph it ran. */
export interface JobDetail {
  id: string;
  outputs: Record<string, UiOutput>;
  prompt: ApiPrompt;
  extraData: Record<string, unknown>;
}

/** A graph of the server's library (`GET /api/graphs`). */
export interface LibraryGraph {
  name: string;
  /** The current revision (1 for a graph saved once). */
  revision: number;
  title: string | null;
  /** Milliseconds since the epoch. */
  createdAt: number;
  updatedAt: number;
}

/** One saved revision of a library graph. */
export interface LibraryRevision {
  revision: number;
  savedAt: number;
}

function toLibraryGraph(raw: Record<string, unknown>): LibraryGraph {
  return {
    name: String(raw['name']),
    revision: Number(raw['revision'] ?? 0),
    title: typeof raw['title'] === 'string' ? raw['title'] : null,
    createdAt: Number(raw['created_at'] ?? 0),
    updatedAt: Number(raw['updated_at'] ?? 0),
  };
}

/**
 * The library's current revision named in a refused save (409 stale revision, 428 revision required): the
 * revision a save must be based on to replace it; 0 when the graph no longer exists. Undefined for other errors.
 */
export function conflictRevision(error: unknown): number | undefined {
  if (!(error instanceof HttpError) || (error.status !== 409 && error.status !== 428)) return undefined;
  try {
    const current = (JSON.parse(error.body) as { error?: { extra_info?: { current_revision?: unknown } } }).error?.extra_info?.current_revision;
    return typeof current === 'number' && Number.isInteger(current) && current >= 0 ? current : undefined;
  } catch {
    return undefined;
  }
}

function toJobSummary(raw: Record<string, unknown>): JobSummary {
  const err = raw['execution_error'] as Record<string, unknown> | null;
  const preview = raw['preview_output'] as FileRef | null;
  return {
    id: String(raw['id']),
    status: raw['status'] as JobSummary['status'],
    createTime: Number(raw['create_time'] ?? 0),
    startTime: typeof raw['execution_start_time'] === 'number' ? raw['execution_start_time'] : null,
    endTime: typeof raw['execution_end_time'] === 'number' ? raw['execution_end_time'] : null,
    outputsCount: Number(raw['outputs_count'] ?? 0),
    preview: preview && typeof preview.filename === 'string' ? preview : null,
    error: err ? String(err['exception_message'] ?? err['message'] ?? 'failed') : null,
  };
}

/** Longest server message shown as is; longer ones are cut at a word boundary. */
const MESSAGE_LIMIT = 300;

/** `text` cut to at most `limit` characters at a word boundary, with an ellipsis when cut. */
export function shorten(text: string, limit = MESSAGE_LIMIT): string {
  if (text.length <= limit) return text;
  const cut = text.slice(0, limit);
  const space = cut.lastIndexOf(' ');
  return `${(space > limit * 0.6 ? cut.slice(0, space) : cut).replace(/[\s,;:.]+$/, '')}…`;
}

/**
 * A server's error answer as a sentence for a notice: piagraph's and ComfyUI's `{ error: { message, details } }` (or
 * `{ error: "…" }`) read as their message and details, an HTML error page (a proxy's) as its text, never raw JSON.
 */
export function readableHttpError(status: number, statusText: string, body: string): string {
  let text = '';
  try {
    const json = JSON.parse(body) as { error?: unknown; message?: unknown };
    const error = json.error;
    if (error && typeof error === 'object') {
      const { message, details } = error as { message?: unknown; details?: unknown };
      text = typeof message === 'string' ? message : '';
      if (typeof details === 'string' && details && details !== message) text = text ? `${text} (${details})` : details;
    } else if (typeof error === 'string') {
      text = error;
    } else if (typeof json.message === 'string') {
      text = json.message;
    }
  } catch {
    text = body.replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/gi, ' ').replace(/<[^>]+>/g, ' ');
  }
  text = text.replace(/\s+/g, ' ').trim();
  const code = `HTTP ${status}${statusText ? ` ${statusText}` : ''}`;
  return text ? shorten(text) : code;
}

/** Thrown for HTTP failures that are not validation results; the message is readable (`readableHttpError`). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
    statusText = '',
  ) {
    super(readableHttpError(status, statusText, body));
    this.name = 'HttpError';
  }
}

async function json<T>(res: Response): Promise<T> {
  const text = await res.text();
  if (!res.ok) throw new HttpError(res.status, text, res.statusText);
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
    let parsed: unknown = {};
    try {
      parsed = text ? JSON.parse(text) : {};
    } catch {
      // A proxy's HTML page or plain text: an HTTP error, not a validation answer.
      throw new HttpError(res.status, text, res.statusText);
    }
    const body = parsed as {
      prompt_id?: string;
      number?: number;
      node_errors?: NodeErrors;
      error?: ValidationErrorItem | string;
    };
    if (res.ok && body.prompt_id) {
      return { ok: true, promptId: body.prompt_id, number: body.number ?? 0, nodeErrors: body.node_errors ?? {} };
    }
    if (res.status >= 500 && !body.error) throw new HttpError(res.status, text, res.statusText);
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

  /** The most recent jobs, newest first. */
  async jobs(limit = 50): Promise<JobSummary[]> {
    const body = await json<{ jobs?: Record<string, unknown>[] }>(await fetch(`${this.base}/api/jobs?limit=${limit}&sort_order=desc`));
    return (body.jobs ?? []).map(toJobSummary);
  }

  /** The UI outputs of recent finished prompts (ComfyUI's `GET /history`), newest first. */
  async historyOutputs(limit = 50): Promise<{ promptId: string; outputs: Record<string, UiOutput> }[]> {
    const body = await json<Record<string, { outputs?: Record<string, UiOutput> }>>(await fetch(`${this.base}/history?max_items=${limit}`));
    return Object.entries(body)
      .map(([promptId, item]) => ({ promptId, outputs: item.outputs ?? {} }))
      .reverse();
  }

  /** One job with its outputs and graph. */
  async job(id: string): Promise<JobDetail> {
    const raw = await json<{ id: string; outputs?: Record<string, UiOutput>; workflow?: { prompt: ApiPrompt; extra_data: Record<string, unknown> } }>(
      await fetch(`${this.base}/api/jobs/${encodeURIComponent(id)}`),
    );
    return { id: raw.id, outputs: raw.outputs ?? {}, prompt: raw.workflow?.prompt ?? {}, extraData: raw.workflow?.extra_data ?? {} };
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

  /** The library's graphs, by name. */
  async libraryGraphs(): Promise<LibraryGraph[]> {
    const body = await json<{ graphs?: Record<string, unknown>[] }>(await fetch(`${this.base}/api/graphs`));
    return (body.graphs ?? []).map(toLibraryGraph);
  }

  /** A library graph's document: the current revision, or `revision`. */
  async libraryGraph(name: string, revision?: number): Promise<LibraryGraph & { document: unknown }> {
    const query = revision === undefined ? '' : `?revision=${revision}`;
    const raw = await json<Record<string, unknown>>(await fetch(`${this.base}/api/graphs/${encodeURIComponent(name)}${query}`));
    return { ...toLibraryGraph(raw), document: raw['document'] };
  }

  /** The revisions saved of a library graph, oldest first. */
  async libraryRevisions(name: string): Promise<LibraryRevision[]> {
    const body = await json<{ revisions?: { revision: number; saved_at: number }[] }>(await fetch(`${this.base}/api/graphs/${encodeURIComponent(name)}/revisions`));
    return (body.revisions ?? []).map((r) => ({ revision: Number(r.revision), savedAt: Number(r.saved_at) }));
  }

  /**
   * Saves a document as the next revision of a library graph. `baseRevision` is the revision the document was
   * based on (undefined for a name believed new): the server refuses a save over a newer revision (409) or over an
   * existing graph without a base (428); `conflictRevision` reads the current revision from either refusal.
   */
  async saveLibraryGraph(name: string, document: GraphDocument, baseRevision?: number): Promise<LibraryGraph> {
    const res = await fetch(`${this.base}/api/graphs/${encodeURIComponent(name)}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', ...(baseRevision === undefined ? {} : { 'if-match': `"${baseRevision}"` }) },
      body: JSON.stringify(document),
    });
    return toLibraryGraph(await json<Record<string, unknown>>(res));
  }

  /** Uploads an image into `input/`; returns the name the server stored it under. */
  async uploadImage(file: Blob, name: string): Promise<{ name: string; subfolder: string; type: string }> {
    const form = new FormData();
    form.append('image', file, name);
    return json(await fetch(`${this.base}/upload/image`, { method: 'POST', body: form }));
  }
}
