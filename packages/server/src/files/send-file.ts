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
    headers['Content-Disposition'] = `attachment; filename="${basename(path).replace(/"/g, '')}"`;
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
