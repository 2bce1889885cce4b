import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { numberPrompt, startTestServer, type TestServer } from '../helpers/test-server.js';
import { RecordingSocket } from '../helpers/ws-client.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

async function runToEnd(prompt: unknown, clientId: string): Promise<string> {
  const ws = await RecordingSocket.connect(t.url, clientId);
  const res = await t.postJson('/prompt', { prompt, client_id: clientId });
  const { prompt_id } = (await res.json()) as { prompt_id: string };
  await ws.waitForDone(prompt_id);
  await ws.close();
  return prompt_id;
}

describe('POST /prompt', () => {
  it('queues a valid prompt and answers with prompt_id, number and empty node_errors', async () => {
    const res = await t.postJson('/prompt', { prompt: numberPrompt(1) });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toEqual({ prompt_id: expect.any(String), number: expect.any(Number), node_errors: {} });
  });

  it('uses a client-chosen prompt_id', async () => {
    const res = await t.postJson('/prompt', { prompt: numberPrompt(2), prompt_id: 'my-own-id' });
    expect(((await res.json()) as { prompt_id: string }).prompt_id).toBe('my-own-id');
  });

  it('refuses a prompt_id that is already taken with 409', async () => {
    await t.postJson('/prompt', { prompt: numberPrompt(3), prompt_id: 'taken' });
    const res = await t.postJson('/prompt', { prompt: numberPrompt(3), prompt_id: 'taken' });
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: { message: string } }).error.message).toBe('A job with prompt_id "taken" already exists');
  });

  it('parses a JSON body sent as text/plain, as the saintno client does', async () => {
    const res = await t.fetch('/prompt', { method: 'POST', body: JSON.stringify({ prompt: numberPrompt(4) }), headers: { 'Content-Type': 'text/plain;charset=UTF-8' } });
    expect(res.status).toBe(200);
  });

  it('answers at /api/prompt as well', async () => {
    expect((await t.postJson('/api/prompt', { prompt: numberPrompt(5) })).status).toBe(200);
  });

  it('ignores unknown query parameters such as clientId', async () => {
    expect((await t.postJson('/prompt?clientId=abc&x=1', { prompt: numberPrompt(6) })).status).toBe(200);
  });

  it('refuses an out-of-range value with 400, ComfyUI error and node_errors', async () => {
    const prompt = { '1': { class_type: 'TestSlow', inputs: { value: 1, ms: 999999 } }, '2': { class_type: 'TestOutput', inputs: { value: ['1', 0] } } };
    const res = await t.postJson('/prompt', { prompt });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { type: string }; node_errors: Record<string, { class_type: string; errors: { type: string; extra_info: { input_name: string } }[] }> };
    expect(body.error.type).toBe('prompt_outputs_failed_validation');
    expect(body.node_errors['1']).toMatchObject({ class_type: 'TestSlow', errors: [{ type: 'value_bigger_than_max', extra_info: { input_name: 'ms' } }] });
  });

  it('refuses an unknown node class with invalid_prompt', async () => {
    const res = await t.postJson('/prompt', { prompt: { '1': { class_type: 'NoSuchNode', inputs: {} } } });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { type: string; message: string } };
    expect(body.error.type).toBe('invalid_prompt');
    expect(JSON.stringify(body)).toContain('NoSuchNode');
  });

  it('names every unknown class with its nodes in node_errors, the same for an API prompt and a UI workflow', async () => {
    const prompt = {
      '1': { class_type: 'FooNode', inputs: {} },
      '2': { class_type: 'BarNode', inputs: {} },
      '3': { class_type: 'FooNode', inputs: {} },
    };
    const workflow = {
      version: 0.4,
      links: [],
      nodes: [
        { id: 1, type: 'FooNode', mode: 0, inputs: [], outputs: [] },
        { id: 2, type: 'BarNode', mode: 0, inputs: [], outputs: [] },
        { id: 3, type: 'FooNode', mode: 0, inputs: [], outputs: [] },
      ],
    };
    const bodies = [];
    for (const graph of [prompt, workflow]) {
      const res = await t.postJson('/prompt', { prompt: graph });
      expect(res.status).toBe(400);
      bodies.push((await res.json()) as { error: { type: string; message: string }; node_errors: Record<string, { class_type: string; errors: { type: string }[] }> });
    }
    for (const body of bodies) {
      expect(body.error.type).toBe('invalid_prompt');
      expect(body.error.message).toBe('Cannot execute because node types BarNode, FooNode do not exist.');
      expect(Object.entries(body.node_errors).map(([id, e]) => `${id}:${e.class_type}:${e.errors[0]!.type}`)).toEqual([
        '1:FooNode:missing_node_type',
        '2:BarNode:missing_node_type',
        '3:FooNode:missing_node_type',
      ]);
    }
    expect(bodies[0]).toEqual(bodies[1]);
  });

  it('refuses a body without a prompt with no_prompt', async () => {
    const res = await t.postJson('/prompt', { client_id: 'x' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { type: string } }).error.type).toBe('no_prompt');
  });

  it('refuses malformed JSON with a JSON 400 naming the problem', async () => {
    const res = await t.fetch('/prompt', { method: 'POST', body: '{"prompt": {', headers: { 'Content-Type': 'application/json' } });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { type: string; message: string } };
    expect(body.error).toMatchObject({ type: 'invalid_json', message: 'Request body is not valid JSON' });
  });

  it('refuses a JSON array body', async () => {
    const res = await t.postJson('/prompt', [1, 2]);
    expect(((await res.json()) as { error: { message: string } }).error.message).toBe('Request body must be a JSON object, got an array');
  });

  it('refuses a non-string client_id', async () => {
    const res = await t.postJson('/prompt', { prompt: numberPrompt(1), client_id: 7 });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toBe('"client_id" must be a string, got number');
  });

  it('queues the valid outputs and reports the others when only some fail (200 with node_errors)', async () => {
    const prompt = {
      ...numberPrompt(1),
      '3': { class_type: 'TestSlow', inputs: { value: 1, ms: -5 } },
      '4': { class_type: 'TestOutput', inputs: { value: ['3', 0] } },
    };
    const res = await t.postJson('/prompt', { prompt });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { prompt_id: string; node_errors: Record<string, unknown> };
    expect(Object.keys(body.node_errors)).toEqual(['3']);
    const queued = (await (await t.fetch(`/api/jobs/${body.prompt_id}`)).json()) as { workflow: { prompt: unknown } };
    expect(queued.workflow.prompt).toBeDefined();
  });

  it('runs only the partial_execution_targets outputs', async () => {
    const prompt = { ...numberPrompt(10), '3': { class_type: 'TestNumber', inputs: { value: 20 } }, '4': { class_type: 'TestOutput', inputs: { value: ['3', 0] } } };
    const ws = await RecordingSocket.connect(t.url, 'partial');
    const res = await t.postJson('/prompt', { prompt, client_id: 'partial', partial_execution_targets: ['4'] });
    const { prompt_id } = (await res.json()) as { prompt_id: string };
    await ws.waitForDone(prompt_id);
    const history = (await (await t.fetch(`/history/${prompt_id}`)).json()) as Record<string, { outputs: Record<string, unknown>; prompt: unknown[] }>;
    expect(history[prompt_id]!.outputs).toEqual({ '4': { text: ['20'] } });
    expect(history[prompt_id]!.prompt[4]).toEqual(['4']);
    await ws.close();
  });
});

describe('GET /prompt, /queue and /history', () => {
  it('reports queue_remaining in exec_info', async () => {
    const body = (await (await t.fetch('/prompt')).json()) as { exec_info: { queue_remaining: number } };
    expect(body.exec_info.queue_remaining).toEqual(expect.any(Number));
  });

  it('lists queue items as 5-tuples whose [1] is the prompt_id', async () => {
    await t.postJson('/api/queue/pause', {});
    const res = await t.postJson('/prompt', { prompt: numberPrompt(42), client_id: 'c1', extra_data: { api_key_comfy_org: 'secret', note: 'kept' } });
    const { prompt_id, number } = (await res.json()) as { prompt_id: string; number: number };
    const queue = (await (await t.fetch('/queue')).json()) as { queue_pending: unknown[][]; queue_running: unknown[][] };
    const item = queue.queue_pending.find((i) => i[1] === prompt_id)!;
    expect(item).toHaveLength(5);
    expect(item[0]).toBe(number);
    expect(item[2]).toEqual(numberPrompt(42));
    expect(item[3]).toMatchObject({ client_id: 'c1', note: 'kept' });
    expect(item[3]).not.toHaveProperty('api_key_comfy_org');
    expect(item[4]).toEqual(['2']);
    await t.postJson('/api/queue/resume', {});
    await t.server.worker.idle();
  });

  it('returns a finished prompt from /history/{id} with outputs, status and meta', async () => {
    const id = await runToEnd(numberPrompt(7), 'hist');
    const body = (await (await t.fetch(`/history/${id}`)).json()) as Record<string, Record<string, unknown>>;
    expect(body[id]).toMatchObject({
      outputs: { '2': { text: ['7'] } },
      status: { status_str: 'success', completed: true },
      meta: { '2': { node_id: '2', display_node: '2', parent_node: null, real_node_id: '2' } },
    });
    const messages = (body[id]!.status as { messages: [string][] }).messages.map((m) => m[0]);
    expect(messages).toEqual(['execution_start', 'execution_cached', 'execution_success']);
  });

  it('answers {} for a prompt that has not finished or does not exist', async () => {
    expect(await (await t.fetch('/history/nope')).json()).toEqual({});
  });

  it('lists the newest max_items history entries', async () => {
    await runToEnd(numberPrompt(100), 'h1');
    const last = await runToEnd(numberPrompt(101), 'h1');
    const body = (await (await t.fetch('/history?max_items=1')).json()) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual([last]);
  });

  it('refuses a negative max_items', async () => {
    const res = await t.fetch('/history?max_items=-1');
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toBe('"max_items" must be an integer ≥ 0, got "-1"');
  });

  it('deletes history entries with POST /history {delete}', async () => {
    const id = await runToEnd(numberPrompt(55), 'del');
    expect((await t.postJson('/history', { delete: [id] })).status).toBe(200);
    expect(await (await t.fetch(`/history/${id}`)).json()).toEqual({});
  });
});

describe('server-wide behaviour', () => {
  it('answers an unknown route with a JSON 404', async () => {
    const res = await t.fetch('/api/does-not-exist');
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { message: string } }).error.message).toBe('No route for GET /api/does-not-exist');
  });

  it('answers a wrong method with a JSON 405', async () => {
    const res = await t.fetch('/history', { method: 'DELETE' });
    expect(res.status).toBe(405);
    expect(((await res.json()) as { error: { type: string } }).error.type).toBe('method_not_allowed');
  });

  it('keeps serving after a burst of bad requests', async () => {
    await Promise.all([
      t.fetch('/prompt', { method: 'POST', body: 'nope' }),
      t.fetch('/upload/image', { method: 'POST', body: 'x' }),
      t.fetch('/view?filename=../../etc/passwd'),
    ]);
    expect((await t.fetch('/prompt')).status).toBe(200);
  });
});
