/** One WebSocket client cannot grow the server: inbound messages are capped, a client that does not read is shed. */
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_INBOUND_MESSAGE_BYTES } from '../../src/ws/ws-hub.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { RecordingSocket } from '../helpers/ws-client.js';

let t: TestServer | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const MB = 1024 * 1024;

/** A prompt whose output is `bytes` long: its `executed` and `prompt_done` events each carry it. */
function bigOutputPrompt(bytes: number, tag: number): Record<string, unknown> {
  return {
    '1': { class_type: 'TestString', inputs: { text: `${tag}:`.padEnd(bytes, 'x') } },
    '2': { class_type: 'TestOutput', inputs: { value: ['1', 0] } },
  };
}

async function queue(server: TestServer, prompt: Record<string, unknown>, clientId: string): Promise<string> {
  const res = await server.postJson('/prompt', { prompt, client_id: clientId });
  expect(res.status).toBe(200);
  return ((await res.json()) as { prompt_id: string }).prompt_id;
}

describe('WebSocket limits', () => {
  it(`closes a connection that sends a message over ${MAX_INBOUND_MESSAGE_BYTES} bytes with 1009, and goes on`, async () => {
    t = await startTestServer();
    const ws = new WebSocket(`${t.url.replace('http', 'ws')}/ws?clientId=big-sender`);
    await new Promise((resolve) => ws.once('open', resolve));
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.on('error', () => {});
    ws.send('x'.repeat(MB));
    expect(await closed).toBe(1009);

    const ok = await RecordingSocket.connect(t.url, 'after');
    ok.socket.send(JSON.stringify({ type: 'feature_flags', data: { supports_preview_metadata: true } }));
    await ok.waitFor((m) => 'type' in m && m.type === 'feature_flags');
    await ok.close();
  });

  it('disconnects a client that never reads once its backlog passes the limit; the others get every event', async () => {
    const lines: string[] = [];
    t = await startTestServer({ wsBufferLimits: { previewBytes: 256 * 1024, maxBytes: 8 * MB }, log: (l) => lines.push(l) });
    const slow = await RecordingSocket.connect(t.url, 'slow');
    const fast = await RecordingSocket.connect(t.url, 'fast');
    slow.socket.pause();
    // 20 prompts × 2 events × 1 MB for the slow client: past the kernel's socket buffers and the 8 MB limit.
    const fastIds: string[] = [];
    for (let i = 0; i < 20; i++) {
      await queue(t, bigOutputPrompt(MB, i), 'slow');
      fastIds.push(await queue(t, bigOutputPrompt(1000, i), 'fast'));
    }
    for (const id of fastIds) await fast.waitForDone(id, 30_000);
    await t.server.worker.idle();
    expect(lines.some((l) => /^WebSocket client slow disconnected: \d+ bytes of events were waiting for it \(limit 8388608\)/.test(l))).toBe(true);
    const closed = new Promise((resolve) => slow.socket.once('close', resolve));
    slow.socket.resume();
    await closed;
    for (const id of fastIds) expect(fast.eventsFor(id).map((e) => e.type)).toContain('prompt_done');
    await fast.close();
  }, 120_000);

  it('drops previews first for a client that is behind, and still sends it every text event', async () => {
    t = await startTestServer({ wsBufferLimits: { previewBytes: 256 * 1024, maxBytes: 256 * MB } });
    const behind = await RecordingSocket.connect(t.url, 'behind', { featureFlags: true });
    await behind.waitFor((m) => 'type' in m && m.type === 'feature_flags');
    behind.socket.pause();
    // Fill its backlog with 24 MB of text events, past the kernel buffers, well under its 256 MB limit.
    let last = '';
    for (let i = 0; i < 12; i++) last = await queue(t, bigOutputPrompt(MB, i), 'behind');
    await t.server.worker.idle();
    const previews = await queue(t, { '1': { class_type: 'TestPreview', inputs: { value: 7, steps: 20, ms: 1 } }, '2': { class_type: 'TestOutput', inputs: { value: ['1', 0] } } }, 'behind');
    await t.server.worker.idle();
    behind.socket.resume();
    await behind.waitForDone(previews, 60_000);
    const binary = behind.messages.filter((m) => 'binary' in m).length;
    expect(binary).toBe(0);
    expect(behind.eventsFor(last).map((e) => e.type)).toContain('prompt_done');
    expect(behind.eventsFor(previews).filter((e) => e.type === 'progress')).toHaveLength(20);
    await behind.close();
  }, 120_000);
});
