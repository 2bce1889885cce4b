import { readFile } from 'node:fs/promises';
import type { UiOutput } from '@piagraph/graph-core';
import type { DataDirs } from '../../files/data-dirs.js';
import { resolveInside } from '../../files/safe-path.js';
import type { ServerLink } from './server-link.js';

interface FileRefLike {
  filename: string;
  subfolder: string;
  type: string;
  [key: string]: unknown;
}

function isOwnFile(item: unknown): item is FileRefLike {
  if (typeof item !== 'object' || item === null) return false;
  const ref = item as Partial<FileRefLike>;
  return typeof ref.filename === 'string' && (ref.type === 'output' || ref.type === 'temp') && (ref.subfolder === undefined || typeof ref.subfolder === 'string');
}

/** Remembered hand-overs, so a cached output (the same file again in a later job) is not sent twice. */
const MAX_REMEMBERED = 10_000;

/**
 * Hands a worker's output files to the server (`PUT /api/workers/files`, under the job's lock) and rewrites the
 * references in a node's UI dict to the names the server gave them: two workers number their files from their own
 * folders, so the server renames a file whose name it already has. Clients then load them from the server's `/view`.
 */
export class OutputHandoff {
  private readonly sent = new Map<string, FileRefLike>();

  constructor(
    private readonly dirs: DataDirs,
    private readonly link: ServerLink,
  ) {}

  async rewrite(ui: UiOutput, job: { jobId: string; lock: string }): Promise<UiOutput> {
    const out: UiOutput = {};
    for (const [key, items] of Object.entries(ui)) {
      out[key] = Array.isArray(items) ? await Promise.all(items.map((item) => (isOwnFile(item) ? this.handOver(item, job) : item))) : items;
    }
    return out;
  }

  async rewriteAll(outputs: Record<string, UiOutput>, job: { jobId: string; lock: string }): Promise<Record<string, UiOutput>> {
    const out: Record<string, UiOutput> = {};
    for (const [node, ui] of Object.entries(outputs)) out[node] = await this.rewrite(ui, job);
    return out;
  }

  private async handOver(ref: FileRefLike, job: { jobId: string; lock: string }): Promise<FileRefLike> {
    const subfolder = ref.subfolder ?? '';
    const key = `${ref.type}\0${subfolder}\0${ref.filename}`;
    const known = this.sent.get(key);
    if (known) return { ...ref, ...known };
    const root = ref.type === 'temp' ? this.dirs.temp : this.dirs.output;
    const data = await readFile(resolveInside(root, subfolder, ref.filename, true));
    const query = new URLSearchParams({ jobId: job.jobId, lock: job.lock, type: ref.type, subfolder, filename: ref.filename });
    const given = await this.link.call<FileRefLike>('PUT', `/api/workers/files?${query}`, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    const renamed = { filename: given.filename, subfolder: given.subfolder, type: given.type };
    if (this.sent.size >= MAX_REMEMBERED) this.sent.delete(this.sent.keys().next().value!);
    this.sent.set(key, renamed);
    return { ...ref, ...renamed };
  }
}
