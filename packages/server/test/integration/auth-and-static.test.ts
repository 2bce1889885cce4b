import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeDataDir, startTestServer, type TestServer } from '../helpers/test-server.js';
import { RecordingSocket } from '../helpers/ws-client.js';

/** Resolves with the HTTP status of a refused WebSocket handshake, or 101 when it opened. */
function handshakeStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.on('open', () => {
      ws.close();
      resolve(101);
    });
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('error', () => {});
  });
}

describe('a server listening on all interfaces', () => {
  let t: TestServer;
  let local: string;
  beforeAll(async () => {
    t = await startTestServer({ host: '0.0.0.0' });
    local = `http://127.0.0.1:${t.server.port}`;
  });
  afterAll(() => t.close());

  it('generates a token when none was given', () => {
    expect(t.server.tokenGenerated).toBe(true);
    expect(t.server.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });

  it('refuses a request without the token with a JSON 401', async () => {
    const res = await fetch(`${local}/prompt`);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { type: string } }).error.type).toBe('unauthorized');
  });

  it('accepts the token as a Bearer header', async () => {
    const res = await fetch(`${local}/prompt`, { headers: { Authorization: `Bearer ${t.server.token}` } });
    expect(res.status).toBe(200);
  });

  it('accepts the token in the query, for /view and browsers', async () => {
    expect((await fetch(`${local}/prompt?token=${t.server.token}`)).status).toBe(200);
  });

  it('refuses a wrong token', async () => {
    expect((await fetch(`${local}/prompt`, { headers: { Authorization: 'Bearer wrong' } })).status).toBe(401);
  });

  it('refuses a WebSocket without the token', async () => {
    expect(await handshakeStatus(`ws://127.0.0.1:${t.server.port}/ws?clientId=a`)).toBe(401);
  });

  it('accepts a WebSocket with ?token=', async () => {
    const ws = await RecordingSocket.connect(local, 'tok', { query: `token=${t.server.token}` });
    expect(ws.events[0]!.type).toBe('status');
    await ws.close();
  });
});

describe('a loopback server', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ token: 'given' });
  });
  afterAll(() => t.close());

  it('requires a token given explicitly even on loopback', async () => {
    expect((await t.fetch('/prompt')).status).toBe(401);
    expect((await t.fetch('/prompt', { headers: { Authorization: 'Bearer given' } })).status).toBe(200);
  });

  it('refuses a cross-origin browser request with 403 before checking anything else', async () => {
    const res = await t.fetch('/prompt', { headers: { Origin: 'https://evil.example', Authorization: 'Bearer given' } });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { type: string } }).error.type).toBe('origin_mismatch');
  });

  it('refuses a cross-origin WebSocket handshake', async () => {
    const status = await handshakeStatus(`ws://127.0.0.1:${t.server.port}/ws?token=given`, { Origin: 'https://evil.example' });
    expect(status).toBe(403);
  });

  it('accepts a same-origin browser request', async () => {
    const res = await t.fetch('/prompt', { headers: { Origin: t.url, Authorization: 'Bearer given' } });
    expect(res.status).toBe(200);
  });

  it('answers a WebSocket at an unknown path with 404', async () => {
    expect(await handshakeStatus(`ws://127.0.0.1:${t.server.port}/socket?token=given`)).toBe(404);
  });
});

describe('the editor files', () => {
  let t: TestServer;
  beforeAll(async () => {
    const editorDir = join(makeDataDir(), 'dist');
    mkdirSync(join(editorDir, 'assets'), { recursive: true });
    writeFileSync(join(editorDir, 'index.html'), '<!doctype html><title>piagraph</title>');
    writeFileSync(join(editorDir, 'assets', 'app-1234.js'), 'console.log(1)');
    t = await startTestServer({ editorDir });
  });
  afterAll(() => t.close());

  it('serves index.html at /', async () => {
    const res = await t.fetch('/');
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await res.text()).toContain('<title>piagraph</title>');
  });

  it('serves hashed assets with a long cache lifetime', async () => {
    const res = await t.fetch('/assets/app-1234.js');
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  });

  it('falls back to index.html for client-side routes', async () => {
    expect(await (await t.fetch('/workspace/wave')).text()).toContain('<title>piagraph</title>');
  });

  it('answers a missing asset with 404 rather than the page', async () => {
    expect((await t.fetch('/assets/missing.js')).status).toBe(404);
  });

  it('still routes the API next to the editor', async () => {
    expect((await t.fetch('/api/prompt')).status).toBe(200);
  });

  it('never serves files outside the editor folder', async () => {
    const res = await t.fetch('/assets/..%2f..%2f..%2f..%2fetc%2fpasswd');
    expect(res.status).toBe(403);
    expect(await res.text()).not.toContain('root:');
  });
});
