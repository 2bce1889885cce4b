import type { ServerResponse } from 'node:http';
import type { HttpError } from '../errors.js';

/** Writes `body` as JSON with `status`. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(text);
}

/** An empty 200, which is what ComfyUI answers to `POST /queue`, `/history`, `/interrupt` and `/free`. */
export function sendEmpty(res: ServerResponse, status = 200): void {
  res.writeHead(status, { 'Content-Length': 0 });
  res.end();
}

/** Writes an `HttpError` as its JSON body, unless headers already went out (then the connection is cut). */
export function sendError(res: ServerResponse, err: HttpError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const headers: Record<string, string> = {};
  if (err.status === 401) headers['WWW-Authenticate'] = 'Bearer';
  sendJson(res, err.status, err.toBody(), headers);
}
