import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { numberPrompt, slowPrompt, startTestServer, type TestServer } from '../helpers/test-server.js';
import { RecordingSocket } from '../helpers/ws-client.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

async function queue(prompt: unknown, clientId?: string): Promise<string> {
  const res = await t.postJson('/prompt', { prompt, ...(clientId ? { client_id: clientId } : {}) });
  expect(res.status).toBe(200);
  return ((await res.json()) as { prompt_id: string }).prompt_id;
}

const previewPrompt = (value: number, steps = 2) => ({
  '1': { class_type: 'TestPreview', inputs: { value, steps, ms: 1 } },
  '2': { class_type: 'TestOutput', inputs: { value: ['1', 0] } },
});

describe('WebSocket connection', () => {
  it('greets with status carrying the clientId as sid', async () => {
    const ws = await RecordingSocket.connect(t.url, 'greet-me');
    expect(ws.events[0]).toEqual({ type: 'status', data: { status: { exec_info: { queue_remaining: expect.any(Number) } }, sid: 'greet-me' } });
    await ws.close();
  });

  it('makes up a sid when no clientId is given', async () => {
    const ws = await RecordingSocket.connect(t.url);
    expect(ws.events[0]!.data.sid).toMatch(/^[0-9a-f]{32}$/);
    await ws.close();
  });

  it('accepts connections at /api/ws', async () => {
    const ws = await RecordingSocket.connect(t.url, 'api-path', { path: '/api/ws' });
    expect(ws.events[0]!.type).toBe('status');
    await ws.close();
  });

  it('answers feature_flags with the server flags', async () => {
    const ws = await RecordingSocket.connect(t.url, 'flags', { featureFlags: true });
    const msg = await ws.waitFor((m) => 'type' in m && m.type === 'feature_flags');
    expect('type' in msg && msg.data).toEqual({ supports_preview_metadata: true, max_upload_size: 100 * 1024 * 1024 });
    await ws.close();
  });
});

describe('events of one prompt', () => {
  it('arrive in ComfyUI order, with node_finished and prompt_done added, ending with executing null', async () => {
    const ws = await RecordingSocket.connect(t.url, 'order');
    const id = await queue(numberPrompt(301), 'order');
    await ws.waitForDone(id);
    const types = ws.eventsFor(id).map((e) => `${e.type}${e.type === 'executing' || e.type === 'executed' || e.type === 'node_finished' ? `:${String(e.data.node)}` : ''}`);
    expect(types).toEqual([
      'execution_start',
      'execution_cached',
      'executing:1',
      'node_finished:1',
      'executing:2',
      'executed:2',
      'node_finished:2',
      'execution_success',
      'prompt_done',
      'executing:null',
    ]);
    await ws.close();
  });

  it('broadcasts status between execution_success and the final executing', async () => {
    const ws = await RecordingSocket.connect(t.url, 'status-order');
    const id = await queue(numberPrompt(302), 'status-order');
    await ws.waitForDone(id);
    const types = ws.events.map((e) => e.type);
    const success = types.lastIndexOf('execution_success');
    expect(types.slice(success, success + 4)).toEqual(['execution_success', 'status', 'prompt_done', 'executing']);
    await ws.close();
  });

  it('sends executed for a cached output node on a repeated prompt', async () => {
    const ws = await RecordingSocket.connect(t.url, 'cached');
    const first = await queue(numberPrompt(303), 'cached');
    await ws.waitForDone(first);
    const second = await queue(numberPrompt(303), 'cached');
    await ws.waitForDone(second);
    const events = ws.eventsFor(second);
    expect(events.find((e) => e.type === 'execution_cached')!.data.nodes).toContain('2');
    expect(events.find((e) => e.type === 'executed')!.data).toMatchObject({ node: '2', output: { text: ['303'] } });
    expect(events.filter((e) => e.type === 'node_finished').every((e) => e.data.cached === true)).toBe(true);
    await ws.close();
  });

  it('ends with prompt_done carrying the status and outputs', async () => {
    const ws = await RecordingSocket.connect(t.url, 'done');
    const id = await queue(numberPrompt(304), 'done');
    await ws.waitForDone(id);
    expect(ws.eventsFor(id).find((e) => e.type === 'prompt_done')!.data).toEqual({ prompt_id: id, status: 'success', outputs: { '2': { text: ['304'] } } });
    await ws.close();
  });

  it('reports a failing node with execution_error and a failed prompt_done', async () => {
    const ws = await RecordingSocket.connect(t.url, 'fail');
    const id = await queue({ '1': { class_type: 'TestFail', inputs: { message: 'kaput' } }, '2': { class_type: 'TestOutput', inputs: { value: ['1', 0] } } }, 'fail');
    await ws.waitForDone(id);
    const error = ws.eventsFor(id).find((e) => e.type === 'execution_error')!.data;
    expect(error).toMatchObject({ node_id: '1', node_type: 'TestFail', exception_message: 'kaput' });
    expect(ws.eventsFor(id).find((e) => e.type === 'prompt_done')!.data.status).toBe('error');
    const history = (await (await t.fetch(`/history/${id}`)).json()) as Record<string, { status: { status_str: string } }>;
    expect(history[id]!.status.status_str).toBe('error');
    await ws.close();
  });

  it('sends progress with the prompt and node ids', async () => {
    const ws = await RecordingSocket.connect(t.url, 'progress');
    const id = await queue(previewPrompt(305, 3), 'progress');
    await ws.waitForDone(id);
    const progress = ws.eventsFor(id).filter((e) => e.type === 'progress').map((e) => e.data);
    expect(progress.map((p) => [p.value, p.max, p.node])).toEqual([[1, 3, '1'], [2, 3, '1'], [3, 3, '1']]);
    await ws.close();
  });

  it('sends previews as type-1 binary frames to clients without preview metadata', async () => {
    const ws = await RecordingSocket.connect(t.url, 'preview1');
    const id = await queue(previewPrompt(306), 'preview1');
    await ws.waitForDone(id);
    const previews = ws.messages.filter((m): m is { binary: Buffer } => 'binary' in m && m.binary.readUInt32BE(0) === 1);
    expect(previews).toHaveLength(2);
    expect(previews[0]!.binary.readUInt32BE(4)).toBe(2);
    await ws.close();
  });

  it('sends type-4 previews with metadata to clients that negotiated it', async () => {
    const ws = await RecordingSocket.connect(t.url, 'preview4', { featureFlags: true });
    await ws.waitFor((m) => 'type' in m && m.type === 'feature_flags');
    const id = await queue(previewPrompt(307), 'preview4');
    await ws.waitForDone(id);
    const frame = ws.messages.find((m): m is { binary: Buffer } => 'binary' in m && m.binary.readUInt32BE(0) === 4)!;
    const meta = JSON.parse(frame.binary.subarray(8, 8 + frame.binary.readUInt32BE(4)).toString());
    expect(meta).toMatchObject({ node_id: '1', prompt_id: id, image_type: 'image/png' });
    await ws.close();
  });

  it('sends progress text as a type-3 binary frame', async () => {
    const ws = await RecordingSocket.connect(t.url, 'text3');
    const id = await queue(previewPrompt(308, 1), 'text3');
    await ws.waitForDone(id);
    const frame = ws.messages.find((m): m is { binary: Buffer } => 'binary' in m && m.binary.readUInt32BE(0) === 3)!;
    const nodeLength = frame.binary.readUInt32BE(4);
    expect(frame.binary.subarray(8, 8 + nodeLength).toString()).toBe('1');
    expect(frame.binary.subarray(8 + nodeLength).toString()).toBe('done after 1 steps');
    await ws.close();
  });
});

describe('several clients', () => {
  it('delivers a prompt’s events to its owner only', async () => {
    const a = await RecordingSocket.connect(t.url, 'owner-a');
    const b = await RecordingSocket.connect(t.url, 'owner-b');
    const ida = await queue(numberPrompt(401), 'owner-a');
    const idb = await queue(numberPrompt(402), 'owner-b');
    await Promise.all([a.waitForDone(ida), b.waitForDone(idb)]);
    expect(a.eventsFor(idb)).toEqual([]);
    expect(b.eventsFor(ida)).toEqual([]);
    expect(a.eventsFor(ida).length).toBeGreaterThan(5);
    await Promise.all([a.close(), b.close()]);
  });

  it('broadcasts status on queue changes to every client', async () => {
    const watcher = await RecordingSocket.connect(t.url, 'watcher');
    const before = watcher.events.length;
    const remaining = () =>
      watcher.events.slice(before).filter((e) => e.type === 'status').map((e) => (e.data.status as { exec_info: { queue_remaining: number } }).exec_info.queue_remaining);
    const id = await queue(numberPrompt(403), 'someone-else');
    await watcher.waitFor(() => remaining().includes(1));
    await t.server.worker.idle();
    await watcher.waitFor(() => remaining().at(-1) === 0);
    expect(watcher.eventsFor(id)).toEqual([]);
    await watcher.close();
  });

  it('sends no per-prompt events when the prompt has no client_id, yet records its history', async () => {
    const watcher = await RecordingSocket.connect(t.url, 'anon-watch');
    const id = await queue(numberPrompt(404));
    await t.server.worker.idle();
    expect(watcher.eventsFor(id)).toEqual([]);
    const history = (await (await t.fetch(`/history/${id}`)).json()) as Record<string, { outputs: unknown }>;
    expect(history[id]!.outputs).toEqual({ '2': { text: ['404'] } });
    await watcher.close();
  });

  it('finishes a run whose client disconnected mid-run, and keeps serving', async () => {
    const ws = await RecordingSocket.connect(t.url, 'leaver');
    const id = await queue(slowPrompt(150, 405), 'leaver');
    await ws.waitFor((m) => 'type' in m && m.type === 'executing' && m.data.node === '1');
    ws.socket.terminate();
    await t.server.worker.idle();
    const history = (await (await t.fetch(`/history/${id}`)).json()) as Record<string, { status: { status_str: string } }>;
    expect(history[id]!.status.status_str).toBe('success');
    expect((await t.fetch('/prompt')).status).toBe(200);
  });

  it('tells an owner that reconnects mid-run which node is executing', async () => {
    const first = await RecordingSocket.connect(t.url, 'comeback');
    const id = await queue(slowPrompt(300, 406), 'comeback');
    await first.waitFor((m) => 'type' in m && m.type === 'executing' && m.data.node === '1');
    await first.close();
    const again = await RecordingSocket.connect(t.url, 'comeback');
    const msg = await again.waitFor((m) => 'type' in m && m.type === 'executing');
    expect('type' in msg && msg.data).toEqual({ node: '1' });
    await again.waitForDone(id);
    await again.close();
  });

  it('broadcasts execution_interrupted when the prompt has no client', async () => {
    const watcher = await RecordingSocket.connect(t.url, 'interrupt-watch');
    const id = await queue(slowPrompt(5000, 408));
    for (let i = 0; i < 100 && t.server.worker.runningId !== id; i++) await new Promise((r) => setTimeout(r, 10));
    await t.postJson('/interrupt', { prompt_id: id });
    const msg = await watcher.waitFor((m) => 'type' in m && m.type === 'execution_interrupted');
    expect('type' in msg && msg.data.prompt_id).toBe(id);
    await watcher.close();
  });

  it('replaces an older socket that used the same clientId', async () => {
    const old = await RecordingSocket.connect(t.url, 'dup');
    const closed = new Promise<void>((resolve) => old.socket.once('close', () => resolve()));
    const fresh = await RecordingSocket.connect(t.url, 'dup');
    await closed;
    const id = await queue(numberPrompt(407), 'dup');
    await fresh.waitForDone(id);
    expect(old.eventsFor(id)).toEqual([]);
    await fresh.close();
  });
});

describe('keepalive', () => {
  it('sends an idle socket a status before a 10 s client inactivity timer could fire', async () => {
    const k = await startTestServer({ keepaliveMs: 200 });
    const ws = await RecordingSocket.connect(k.url, 'idle');
    await ws.waitFor(() => ws.events.filter((e) => e.type === 'status').length >= 3, 2000);
    await ws.close();
    await k.close();
  });
});
