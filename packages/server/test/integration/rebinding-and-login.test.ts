/** DNS rebinding against a loopback server, and the editor's pages behind the token. */
import { request } from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeDataDir, numberPrompt, startTestServer, type TestServer } from '../helpers/test-server.js';

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A request with headers a browser would send but `fetch` will not let us set (Host, Cookie, Sec-Fetch-Site). */
function raw(port: number, path: string, headers: Record<string, string>, method = 'GET', body?: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The status of a WebSocket handshake sent with these headers (101 when accepted). */
function upgradeStatus(port: number, path: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1',
      port,
      path,
      headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==', ...headers },
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve(res.statusCode ?? 0);
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('DNS rebinding against a loopback server', () => {
  let t: TestServer;
  let port: number;
  beforeAll(async () => {
    t = await startTestServer({ allowedHosts: ['studio.test'] });
    port = t.server.port;
  });
  afterAll(() => t.close());

  it('refuses a page whose own name was re-pointed at 127.0.0.1: 403, nothing queued, no history read', async () => {
    // What the browser sends once rebind.example resolves to 127.0.0.1: Host and Origin agree, both foreign.
    const site = { Host: `rebind.example:${port}`, Origin: `http://rebind.example:${port}` };
    const queued = await raw(port, '/prompt', { ...site, 'Content-Type': 'text/plain' }, 'POST', JSON.stringify({ prompt: numberPrompt(1) }));
    expect(queued.status).toBe(403);
    expect(JSON.parse(queued.body).error.type).toBe('host_not_allowed');
    expect(JSON.parse(queued.body).error.message).toContain('Host "rebind.example:');
    expect(t.server.store.countActive()).toBe(0);
    expect((await raw(port, '/history', site)).status).toBe(403);
    expect((await raw(port, '/view?filename=x.png', { Host: `rebind.example:${port}` })).status).toBe(403);
    expect(await upgradeStatus(port, '/ws', site)).toBe(403);
  });

  it('answers loopback names and the names the user allowed', async () => {
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, `app.localhost:${port}`, `studio.test:${port}`, 'STUDIO.TEST']) {
      expect((await raw(port, '/prompt', { Host: host })).status, host).toBe(200);
    }
    expect(await upgradeStatus(port, '/ws', { Host: `studio.test:${port}` })).toBe(101);
  });

  it('still refuses another site calling an allowed name (the Origin check applies to it too)', async () => {
    const res = await raw(port, '/prompt', { Host: `studio.test:${port}`, Origin: 'https://evil.example' }, 'POST', '{}');
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body).error.type).toBe('origin_mismatch');
  });

  it('does not restrict Host on a server listening on all interfaces (its token guards it)', async () => {
    const open = await startTestServer({ host: '0.0.0.0', token: 'open-sesame' });
    try {
      const res = await raw(open.server.port, '/prompt', { Host: `studio.lan:${open.server.port}`, Authorization: 'Bearer open-sesame' });
      expect(res.status).toBe(200);
    } finally {
      await open.close();
    }
  });
});

describe('the editor behind a token (--listen)', () => {
  let t: TestServer;
  let port: number;
  beforeAll(async () => {
    const editorDir = join(makeDataDir(), 'dist');
    mkdirSync(join(editorDir, 'assets'), { recursive: true });
    writeFileSync(join(editorDir, 'index.html'), '<!doctype html><title>piagraph editor</title>');
    writeFileSync(join(editorDir, 'assets', 'app-1234.js'), 'console.log(1)');
    t = await startTestServer({ host: '0.0.0.0', token: 'editor-secret', editorDir });
    port = t.server.port;
  });
  afterAll(() => t.close());

  const host = () => ({ Host: `127.0.0.1:${port}` });

  it('answers the editor pages and files without the token with a 401 login form, not the editor', async () => {
    for (const path of ['/', '/workspace/x', '/assets/app-1234.js', '/index.html']) {
      const res = await raw(port, path, host());
      expect(res.status, path).toBe(401);
      expect(res.body).toContain('<form method="get"');
      expect(res.body).toContain('name="token"');
      expect(res.body).not.toContain('piagraph editor');
      expect(res.body).not.toContain('console.log');
    }
  });

  it('says so when the token is wrong', async () => {
    const res = await raw(port, '/?token=wrong', host());
    expect(res.status).toBe(401);
    expect(res.body).toContain('That token is not valid');
  });

  it('takes ?token= once: sets an HttpOnly session cookie and redirects to the address without it', async () => {
    const res = await raw(port, '/workspace/x?token=editor-secret&tab=2', host());
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/workspace/x?tab=2');
    const setCookie = String(res.headers['set-cookie']);
    expect(setCookie).toMatch(new RegExp(`^piagraph_session_${port}=[A-Za-z0-9_-]+; Path=/; HttpOnly; SameSite=Strict$`));
    expect(setCookie).not.toContain('editor-secret');
  });

  it('never redirects to another site', async () => {
    for (const path of ['//evil.example/?token=editor-secret', '///evil.example/x?token=editor-secret', '/\\evil.example/?token=editor-secret']) {
      const res = await raw(port, path, host());
      expect(res.status).toBe(303);
      expect(res.headers.location, path).toMatch(/^\/(?![/\\])/);
    }
  });

  it('serves the editor, its files, its API calls and its WebSocket with the session cookie from its own pages', async () => {
    const login = await raw(port, '/?token=editor-secret', host());
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    const own = { ...host(), Cookie: cookie };
    expect((await raw(port, '/', { ...own, 'Sec-Fetch-Site': 'none' })).body).toContain('piagraph editor');
    expect((await raw(port, '/assets/app-1234.js', { ...own, 'Sec-Fetch-Site': 'same-origin' })).status).toBe(200);
    const origin = `http://127.0.0.1:${port}`;
    const queued = await raw(port, '/prompt', { ...own, Origin: origin, 'Sec-Fetch-Site': 'same-origin' }, 'POST', JSON.stringify({ prompt: numberPrompt(5) }));
    expect(queued.status).toBe(200);
    expect(await upgradeStatus(port, '/ws', { ...own, Origin: origin })).toBe(101);
  });

  it('does not let the cookie stand for the token on requests from other origins, even of the same site', async () => {
    const login = await raw(port, '/?token=editor-secret', host());
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    // A LAN name, where the loopback Origin check does not apply: only the cookie rules stand in the way.
    const own = { Host: `studio.lan:${port}`, Cookie: cookie };
    // Another port of the same host is the same site, so SameSite=Strict alone would send the cookie.
    const otherPort = `http://studio.lan:${port + 1}`;
    expect((await raw(port, '/prompt', { ...own, Origin: otherPort, 'Sec-Fetch-Site': 'same-site' }, 'POST', '{}')).status).toBe(401);
    expect((await raw(port, '/history', { ...own, 'Sec-Fetch-Site': 'same-site' })).status).toBe(401);
    expect(await upgradeStatus(port, '/ws', { ...own, Origin: otherPort })).toBe(401);
    expect((await raw(port, '/history', { ...host(), Cookie: `piagraph_session_${port}=forged`, 'Sec-Fetch-Site': 'same-origin' })).status).toBe(401);
  });

  it('keeps the API answering Bearer clients as before', async () => {
    expect((await raw(port, '/prompt', { ...host(), Authorization: 'Bearer editor-secret' })).status).toBe(200);
    expect((await raw(port, '/api/prompt', host())).status).toBe(401);
  });
});
