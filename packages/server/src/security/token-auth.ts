import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { UnauthorizedError } from '../errors.js';

/** A fresh random token, printed by `serve` when `--listen` exposes the server and no `--token` was given. */
export function generateToken(): string {
  return randomBytes(24).toString('base64url');
}

/**
 * Checks a request against the server token. HTTP clients send `Authorization: Bearer <token>`; browsers cannot set
 * headers on a WebSocket or an `<img src>`, and stable-canvas's login plugin puts it in the query, so `?token=` is
 * accepted everywhere as well.
 */
export function checkToken(req: IncomingMessage, query: URLSearchParams, token: string | undefined): void {
  if (token === undefined) return;
  const header = req.headers.authorization;
  const fromHeader = header?.toLowerCase().startsWith('bearer ') ? header.slice(7).trim() : undefined;
  const given = fromHeader ?? query.get('token') ?? undefined;
  if (given === undefined || given.length === 0) {
    throw new UnauthorizedError('This server requires a token: send "Authorization: Bearer <token>" or "?token=<token>"');
  }
  if (!constantTimeEqual(given, token)) throw new UnauthorizedError('The token is not valid for this server');
}

function constantTimeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}
