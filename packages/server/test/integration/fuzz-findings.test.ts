/**
 * What the fuzz test found, each pinned down as a plain case: it crashed the server, hung it, or answered 500.
 */
import { connect } from 'node:net';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { numberPrompt, startTestServer, type TestServer } from '../helpers/test-server.js';
import { RecordingSocket } from '../helpers/ws-client.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

async function errorOf(res: Response): Promise<{ type: string; message: string }> {
  return ((await res.json()) as { error: { type: string; message: string } }).error;
}

/** Sends raw bytes and resolves with the status line of the answer. */
function rawStatusLine(request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(t.server.port, '127.0.0.1', () => socket.write(request));
    let data = '';
    socket.on('data', (d: Buffer) => {
      data += d.toString('latin1');
      if (data.includes('\r\n')) {
        resolve(data.slice(0, data.indexOf('\r\n')));
        socket.destroy();
      }
    });
    socket.on('error', reject);
  });
}

describe('found by fuzzing', () => {
  it('a first WebSocket message that is JSON but not an object (null crashed the process)', async () => {
    for (const message of ['null', '5', '"feature_flags"', '[]', '{"type":"feature_flags","data":null}', '{"type":"feature_flags","data":7}']) {
      const ws = new WebSocket(`${t.url.replace('http', 'ws')}/ws`);
      await new Promise((resolve) => ws.once('message', resolve));
      ws.send(message);
      await new Promise((r) => setTimeout(r, 30));
      ws.terminate();
    }
    const ok = await RecordingSocket.connect(t.url, 'after-nulls', { featureFlags: true });
    await ok.waitFor((m) => 'type' in m && m.type === 'feature_flags');
    await ok.close();
  });

  it('a prompt_id that does not survive UTF-8 (a lone surrogate) is refused; it used to make the worker spin for ever', async () => {
    for (const [field, value, message] of [
      ['prompt_id', 'a\ud800b', 'not well-formed Unicode'],
      ['client_id', '\udc00', 'not well-formed Unicode'],
      ['prompt_id', 'line\nbreak', 'contains a control character'],
      ['prompt_id', 'p'.repeat(300), 'at most 256'],
    ] as const) {
      const res = await t.postJson('/prompt', { prompt: numberPrompt(1), [field]: value });
      expect(res.status).toBe(400);
      expect((await errorOf(res)).message).toContain(message);
    }
  });

  it('a job whose stored id reads back different still runs and ends: the worker keys it by row, never spins', async () => {
    const job = t.server.store.insert({ id: 'odd\ud800id', prompt: numberPrompt(8) as never, extraData: {}, outputsToExecute: ['2'], clientId: null, workflowId: null });
    t.server.worker.kick();
    await t.server.worker.idle();
    expect(t.server.store.getBySeq(job.seq)?.status).toBe('success');
    expect((await t.fetch('/prompt')).status).toBe(200);
  });

  it('node ids that name Object.prototype members are refused with 400 (one reached a TypeError in validation)', async () => {
    for (const id of ['toString', 'constructor', '__proto__', 'hasOwnProperty']) {
      const text = `{"prompt":{"${id}":{"class_type":"TestNumber","inputs":{"value":1}},"out":{"class_type":"TestOutput","inputs":{"value":["${id}",0]}}}}`;
      const res = await t.fetch('/prompt', { method: 'POST', body: text });
      expect(res.status, id).toBe(400);
      expect((await errorOf(res)).message).toContain(`Node id "${id}" is not allowed`);
    }
  });

  it('a graph document whose link holds an object where an id goes is a 400, not a TypeError 500', async () => {
    const doc = {
      format: 'piagraph',
      version: 0,
      title: 'v0',
      nodes: [
        { id: 1, type: 'TestNumber', x: 0, y: 0, widgets: { value: 4 } },
        { id: 3, type: 'TestOutput', x: 0, y: 0, widgets: {} },
      ],
      links: [[1, 1, 0, [{ toString: true }], 0]],
    };
    const run = await t.postJson('/prompt', { prompt: doc });
    expect(run.status).toBe(400);
    const put = await t.fetch('/api/graphs/odd', { method: 'PUT', body: JSON.stringify(doc) });
    expect(put.status).toBe(400);
  });

  it('a request target the URL parser refuses is a 400 over HTTP and on an upgrade (the upgrade one crashed the process)', async () => {
    expect(await rawStatusLine('GET /\\[ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n')).toBe('HTTP/1.1 400 Bad Request');
    expect(
      await rawStatusLine('GET //a:b:c HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n'),
    ).toBe('HTTP/1.1 400 Bad Request');
    expect((await t.fetch('/prompt')).status).toBe(200);
  });
});
