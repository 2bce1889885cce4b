import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { UnauthorizedError } from '../errors.js';
import { isSameOrigin } from './origin-check.js';

/** A fresh random token, printed by `serve` when `--listen` exposes the server and no `--token` was given. */
export function generateToken(): string {
  return randomBytes(24).toString('base64url');
}

/**
 * The editor's session cookie: set once the browser has shown the token (`/?token=…` or the login form), so the
 * editor's own requests (its files, its API calls, its WebSocket) are authenticated without the token in every URL.
 * One name per port, since cookies are shared by every port of a host.
 */
export interface SessionCookie {
  name: string;
  /** The cookie's value: derived from the token, so the token itself is never stored in the browser. */
  value: string;
}

export function sessionCookie(token: string, port: number): SessionCookie {
  return { name: `piagraph_session_${port}`, value: createHmac('sha256', token).update('piagraph editor session').digest('base64url') };
}

/** The `Set-Cookie` header value that starts a session. HttpOnly: page scripts never see it; Strict: never sent cross-site. */
export function sessionCookieHeader(cookie: SessionCookie): string {
  return `${cookie.name}=${cookie.value}; Path=/; HttpOnly; SameSite=Strict`;
}

/** The value of cookie `name` in the request, if any. */
function cookieValue(req: IncomingMessage, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * Whether a browser sent this request from the server's own pages, so a session cookie may stand for the token.
 * `SameSite=Strict` keeps the cookie off other sites' requests, but another port of the same host is the same
 * site: so the browser's `Sec-Fetch-Site` must say `same-origin` (or `none`, an address typed by the user), and an
 * Origin, when sent (every POST and WebSocket), must be this very origin.
 */
function fromOwnPages(req: IncomingMessage): boolean {
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return false;
  const origin = req.headers.origin;
  return origin === undefined || isSameOrigin(req.headers.host, origin);
}

/** True when the request carries a valid session cookie from the server's own pages. */
export function hasSession(req: IncomingMessage, cookie: SessionCookie | undefined): boolean {
  if (!cookie) return false;
  const value = cookieValue(req, cookie.name);
  return value !== undefined && constantTimeEqual(value, cookie.value) && fromOwnPages(req);
}

/**
 * Checks a request against the server token. HTTP clients send `Authorization: Bearer <token>`; browsers cannot set
 * headers on a WebSocket or an `<img src>`, and stable-canvas's login plugin puts it in the query, so `?token=` is
 * accepted everywhere as well; and the editor's own requests carry the session cookie (see `SessionCookie`).
 */
export function checkToken(req: IncomingMessage, query: URLSearchParams, token: string | undefined, cookie?: SessionCookie): void {
  if (token === undefined) return;
  const header = req.headers.authorization;
  const fromHeader = header?.toLowerCase().startsWith('bearer ') ? header.slice(7).trim() : undefined;
  const given = fromHeader ?? query.get('token') ?? undefined;
  if (given === undefined || given.length === 0) {
    if (hasSession(req, cookie)) return;
    throw new UnauthorizedError('This server requires a token: send "Authorization: Bearer <token>" or "?token=<token>"');
  }
  if (!constantTimeEqual(given, token)) throw new UnauthorizedError('The token is not valid for this server');
}

export function constantTimeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}
