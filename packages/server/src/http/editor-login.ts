import type { IncomingMessage, ServerResponse } from 'node:http';
import { checkToken, constantTimeEqual, sessionCookieHeader, type SessionCookie } from '../security/token-auth.js';

/** What the editor's pages need to know to ask for the token. */
export interface EditorAuth {
  token: string | undefined;
  cookie: SessionCookie | undefined;
}

const LOGIN_PAGE = (problem: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>piagraph: token required</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:16px system-ui,sans-serif;max-width:28rem;margin:4rem auto;padding:0 1rem;color:#222}
input{font:inherit;padding:.4rem;width:100%;box-sizing:border-box}button{font:inherit;margin-top:.8rem;padding:.4rem 1rem}
.problem{color:#a00}</style></head>
<body><h1>piagraph</h1>
<p>This server needs its token, which <code>piagraph serve</code> printed when it started.</p>
${problem ? `<p class="problem">${problem}</p>` : ''}
<form method="get" action=""><label>Token <input name="token" type="password" autocomplete="current-password" autofocus required></label>
<button type="submit">Open the editor</button></form></body></html>
`;

/** Sends the login form (401): `problem` is fixed text of ours, never anything from the request. */
function sendLoginPage(res: ServerResponse, problem = ''): void {
  const html = LOGIN_PAGE(problem);
  res.writeHead(401, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': Buffer.byteLength(html),
    'Cache-Control': 'no-store',
    // Nothing to load, nothing to run: only the inline style and a form posting back here.
    'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
    'X-Content-Type-Options': 'nosniff',
  });
  res.end(isHead(res) ? undefined : html);
}

function isHead(res: ServerResponse): boolean {
  return res.req?.method === 'HEAD';
}

/**
 * Guards the editor's pages and files when the server has a token. Returns true when the request may be served;
 * otherwise it has been answered: `?token=` with the right token sets the session cookie and redirects to the same
 * address without it (so the token does not stay in the address bar and history), anything else gets the login form.
 */
export function admitToEditor(req: IncomingMessage, res: ServerResponse, url: URL, auth: EditorAuth): boolean {
  if (auth.token === undefined) return true;
  const given = url.searchParams.get('token');
  if (given !== null) {
    if (!constantTimeEqual(given, auth.token)) {
      sendLoginPage(res, 'That token is not valid for this server.');
      return false;
    }
    url.searchParams.delete('token');
    // One leading slash: "//evil.example" would be a link to another site.
    const location = `/${url.pathname.replace(/^\/+/, '')}${url.search}`;
    res.writeHead(303, {
      Location: location,
      'Set-Cookie': sessionCookieHeader(auth.cookie!),
      'Cache-Control': 'no-store',
      'Content-Length': 0,
    });
    res.end();
    return false;
  }
  try {
    checkToken(req, new URLSearchParams(), auth.token, auth.cookie);
    return true;
  } catch {
    sendLoginPage(res);
    return false;
  }
}
