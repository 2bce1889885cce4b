import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { basename } from 'node:path';
import { HttpError, NotFoundError } from '../errors.js';
import { isActiveContent, mimeType } from './mime.js';

/**
 * Streams a file, honouring a single `Range: bytes=a-b` (browsers need it to seek in `<video>`). Content a browser
 * would execute is sent as an attachment.
 */
export async function sendFile(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  options: { cache?: string; shownName?: string } = {},
): Promise<void> {
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new Error('not a file');
    size = info.size;
  } catch {
    throw new NotFoundError(`File not found: ${options.shownName ?? basename(path)}`);
  }
  const type = mimeType(path);
  const headers: Record<string, string | number> = {
    'Content-Type': type,
    'Accept-Ranges': 'bytes',
    'Cache-Control': options.cache ?? 'no-cache',
    'X-Content-Type-Options': 'nosniff',
  };
  if (options.shownName !== undefined && isActiveContent(type)) {
    headers['Content-Disposition'] = attachment(basename(path));
  }
  const range = parseRange(req.headers.range, size);
  if (range === 'unsatisfiable') {
    throw new HttpError(416, 'range_not_satisfiable', `Range "${req.headers.range}" is outside the file of ${size} bytes`);
  }
  const [start, end] = range ?? [0, size - 1];
  headers['Content-Length'] = size === 0 ? 0 : end - start + 1;
  if (range) headers['Content-Range'] = `bytes ${start}-${end}/${size}`;
  res.writeHead(range ? 206 : 200, headers);
  if (req.method === 'HEAD' || size === 0) {
    res.end();
    return;
  }
  await new Promise<void>((resolve) => {
    const stream = createReadStream(path, { start, end });
    stream.on('error', () => {
      res.destroy();
      resolve();
    });
    res.on('close', () => {
      stream.destroy();
      resolve();
    });
    stream.pipe(res);
  });
}

/**
 * `attachment` with the file's name. A name that is not plain printable ASCII is sent twice (RFC 6266): an ASCII
 * fallback and the exact name percent-encoded in `filename*`, so no character of a stored name (quotes, control
 * characters, non-Latin letters, which Node refuses in a header) reaches the header raw.
 */
function attachment(name: string): string {
  const fallback = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  if (fallback === name) return `attachment; filename="${name}"`;
  let exact: string;
  try {
    exact = encodeURIComponent(name);
  } catch {
    // A lone surrogate cannot be encoded; the fallback alone still names the file.
    return `attachment; filename="${fallback}"`;
  }
  exact = exact.replace(/['()*!]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${fallback}"; filename*=UTF-8''${exact}`;
}

function parseRange(header: string | undefined, size: number): [number, number] | 'unsatisfiable' | undefined {
  if (!header) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  let start: number;
  let end: number;
  if (m[1] === '') {
    start = Math.max(0, size - Number(m[2]));
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (start > end || start >= size) return 'unsatisfiable';
  return [start, end];
}
