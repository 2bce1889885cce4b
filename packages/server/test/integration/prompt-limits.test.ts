/** Prompts too big to handle without stalling every other client are refused with 413/400 that name the limit. */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_JSON_BODY_BYTES } from '../../src/http/body.js';
import { MAX_PROMPT_NODES, MAX_PROMPT_OUTPUTS, MAX_REPORTED_NODE_ERRORS } from '../../src/jobs/prompt-limits.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

interface ErrorBody {
  error: { type: string; message: string; extra_info: Record<string, unknown> };
  node_errors?: Record<string, { dependent_outputs: string[] }>;
}

/** A chain `0 → 1 → … ` of `TestAdd` nodes whose `b` input is invalid, read by `outputs` output nodes, plus one good output. */
function failingChain(nodes: number, outputs: number): Record<string, unknown> {
  const p: Record<string, unknown> = { '0': { class_type: 'TestNumber', inputs: { value: 1 } } };
  const chain = nodes - outputs - 3;
  for (let i = 1; i <= chain; i++) p[String(i)] = { class_type: 'TestAdd', inputs: { a: [String(i - 1), 0], b: 'not a number' } };
  for (let k = 0; k < outputs; k++) p[`o${k}`] = { class_type: 'TestOutput', inputs: { value: [String(chain - k), 0] } };
  p['good'] = { class_type: 'TestNumber', inputs: { value: 2 } };
  p['good_out'] = { class_type: 'TestOutput', inputs: { value: ['good', 0] } };
  return p;
}

/** POSTs `bytes` of body without a Content-Length (chunked), so only the streaming check can refuse it. */
function postChunked(path: string, bytes: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${t.url}${path}`, { method: 'POST', headers: { 'Transfer-Encoding': 'chunked' } }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', (err) => (err as NodeJS.ErrnoException).code === 'EPIPE' || (err as NodeJS.ErrnoException).code === 'ECONNRESET' ? undefined : reject(err));
    const chunk = Buffer.alloc(1024 * 1024, 0x20);
    let sent = 0;
    const pump = () => {
      while (sent < bytes) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}

describe('prompt limits', () => {
  it('refuses a body over the limit with 413, by its Content-Length and while streaming', async () => {
    const big = JSON.stringify({ prompt: { '1': { class_type: 'TestString', inputs: { text: 'x'.repeat(MAX_JSON_BODY_BYTES) } } } });
    const res = await t.fetch('/prompt', { method: 'POST', body: big });
    expect(res.status).toBe(413);
    const error = ((await res.json()) as ErrorBody).error;
    expect(error.message).toContain(`over the limit of ${MAX_JSON_BODY_BYTES} bytes (8 MiB)`);

    const streamed = await postChunked('/prompt', MAX_JSON_BODY_BYTES + 2 * 1024 * 1024);
    expect(streamed.status).toBe(413);
    expect(streamed.body).toContain('over the limit');
    expect((await t.fetch('/prompt')).status).toBe(200);
  });

  it(`refuses a prompt of more than ${MAX_PROMPT_NODES} nodes with 400 naming the count`, async () => {
    const prompt: Record<string, unknown> = {};
    for (let i = 0; i <= MAX_PROMPT_NODES; i++) prompt[String(i)] = { class_type: 'TestNumber', inputs: { value: i } };
    const res = await t.postJson('/prompt', { prompt });
    expect(res.status).toBe(400);
    const body = (await res.json()) as ErrorBody;
    expect(body.error.message).toBe(`The prompt has ${MAX_PROMPT_NODES + 1} nodes; at most ${MAX_PROMPT_NODES} are allowed`);
    expect(body.error.extra_info.reason).toBe('too_many_nodes');
    expect(body.node_errors).toEqual({});
  });

  it(`refuses more than ${MAX_PROMPT_OUTPUTS} output nodes, counted by class or by partial_execution_targets`, async () => {
    const prompt: Record<string, unknown> = { n: { class_type: 'TestNumber', inputs: { value: 1 } } };
    for (let k = 0; k <= MAX_PROMPT_OUTPUTS; k++) prompt[`o${k}`] = { class_type: 'TestOutput', inputs: { value: ['n', 0] } };
    const res = await t.postJson('/prompt', { prompt });
    expect(res.status).toBe(400);
    expect(((await res.json()) as ErrorBody).error.message).toBe(
      `The prompt has ${MAX_PROMPT_OUTPUTS + 1} output nodes; at most ${MAX_PROMPT_OUTPUTS} can run in one prompt`,
    );
    // The same graph, asked to run only two of its outputs, is fine.
    const some = await t.postJson('/prompt', { prompt, partial_execution_targets: ['o0', 'o1'] });
    expect(some.status).toBe(200);
  });

  it('queues a prompt at the limits and answers with bounded node errors, while other clients are served', async () => {
    const prompt = failingChain(MAX_PROMPT_NODES, MAX_PROMPT_OUTPUTS - 1);
    const pending = t.postJson('/prompt', { prompt });
    // Another client asks meanwhile; it is answered (the server was not stuck for good).
    const other = await t.fetch('/queue');
    expect(other.status).toBe(200);
    const res = await pending;
    expect(res.status).toBe(200);
    const body = (await res.json()) as { prompt_id: string; node_errors: ErrorBody['node_errors']; node_errors_omitted: number };
    const failing = MAX_PROMPT_NODES - MAX_PROMPT_OUTPUTS - 2;
    expect(Object.keys(body.node_errors!)).toHaveLength(MAX_REPORTED_NODE_ERRORS);
    expect(body.node_errors_omitted).toBe(failing - MAX_REPORTED_NODE_ERRORS);
    // Node 1 is upstream of every failing output.
    expect(body.node_errors!['1']!.dependent_outputs).toHaveLength(MAX_PROMPT_OUTPUTS - 1);
    await t.server.worker.idle();
    const history = (await (await t.fetch(`/history/${body.prompt_id}`)).json()) as Record<string, { outputs: unknown }>;
    expect(history[body.prompt_id]!.outputs).toEqual({ good_out: { text: ['2'] } });
  }, 60_000);
});
