import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { numberDocument, numberWorkflow } from '../fixtures/graphs.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { RecordingSocket } from '../helpers/ws-client.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

function put(name: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return t.fetch(`/api/graphs/${encodeURIComponent(name)}`, { method: 'PUT', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json', ...headers } });
}

async function errorOf(res: Response): Promise<{ type: string; message: string; extra_info: Record<string, unknown> }> {
  return ((await res.json()) as { error: { type: string; message: string; extra_info: Record<string, unknown> } }).error;
}

async function outputsOf(promptId: string, clientId: string, ws: RecordingSocket): Promise<unknown> {
  await ws.waitForDone(promptId);
  const history = (await (await t.fetch(`/history/${promptId}`)).json()) as Record<string, { outputs: unknown }>;
  return history[promptId]!.outputs;
}

describe('graph library', () => {
  it('creates a graph with 201 and an ETag of its revision', async () => {
    const res = await put('first', numberDocument(1, 'First'));
    expect(res.status).toBe(201);
    expect(res.headers.get('etag')).toBe('"1"');
    expect(await res.json()).toMatchObject({ name: 'first', revision: 1, title: 'First' });
  });

  it('returns the saved document', async () => {
    await put('readback', numberDocument(2));
    const body = (await (await t.fetch('/api/graphs/readback')).json()) as { document: { nodes: Record<string, { values: unknown }> } };
    expect(body.document.nodes['1']!.values).toEqual({ value: 2 });
  });

  it('saves a new revision when If-Match names the current one', async () => {
    await put('etag', numberDocument(1));
    const res = await put('etag', numberDocument(2), { 'If-Match': '"1"' });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { revision: number }).revision).toBe(2);
  });

  it('saves a new revision from a {document, revision} body', async () => {
    await put('wrapped', numberDocument(1));
    const res = await put('wrapped', { document: numberDocument(3), revision: 1 });
    expect(((await res.json()) as { revision: number }).revision).toBe(2);
  });

  it('refuses a save based on a stale revision with 409 and the current revision', async () => {
    await put('race', numberDocument(1));
    await put('race', numberDocument(2), { 'If-Match': '1' });
    const res = await put('race', numberDocument(3), { 'If-Match': '1' });
    expect(res.status).toBe(409);
    expect(await errorOf(res)).toMatchObject({ type: 'revision_conflict', extra_info: { current_revision: 2, base_revision: 1 } });
    const current = (await (await t.fetch('/api/graphs/race')).json()) as { document: { nodes: Record<string, { values: { value: number } }> } };
    expect(current.document.nodes['1']!.values.value).toBe(2);
  });

  it('refuses to overwrite an existing graph without a revision (428)', async () => {
    await put('blind', numberDocument(1));
    const res = await put('blind', numberDocument(2));
    expect(res.status).toBe(428);
    expect((await errorOf(res)).message).toContain('send the revision your copy was based on');
  });

  it('refuses a body that is not a graph document', async () => {
    const res = await put('broken', { format: 'piagraph', version: 1, nodes: 'nope' });
    expect(res.status).toBe(400);
    expect((await errorOf(res)).message).toMatch(/^Not a valid graph document: /);
  });

  it('refuses a malformed If-Match', async () => {
    const res = await put('bad-etag', numberDocument(1), { 'If-Match': 'yesterday' });
    expect((await errorOf(res)).message).toBe('If-Match must be a revision number like "3", got yesterday');
  });

  it('lists saved graphs', async () => {
    await put('listed', numberDocument(1, 'Listed'));
    const body = (await (await t.fetch('/api/graphs')).json()) as { graphs: { name: string; title: string }[] };
    expect(body.graphs.find((g) => g.name === 'listed')).toMatchObject({ title: 'Listed', revision: 1 });
  });

  it('serves an older revision on request', async () => {
    await put('history', numberDocument(1, 'v1'));
    await put('history', numberDocument(2, 'v2'), { 'If-Match': '1' });
    const old = (await (await t.fetch('/api/graphs/history?revision=1')).json()) as { title: string };
    expect(old.title).toBe('v1');
    const revisions = (await (await t.fetch('/api/graphs/history/revisions')).json()) as { revisions: { revision: number }[] };
    expect(revisions.revisions.map((r) => r.revision)).toEqual([1, 2]);
  });

  it('deletes a graph', async () => {
    await put('doomed', numberDocument(1));
    expect((await t.fetch('/api/graphs/doomed', { method: 'DELETE' })).status).toBe(200);
    expect((await t.fetch('/api/graphs/doomed')).status).toBe(404);
  });

  it('answers an unknown graph with a JSON 404', async () => {
    const res = await t.fetch('/api/graphs/missing');
    expect(res.status).toBe(404);
    expect((await errorOf(res)).message).toBe('No graph named "missing"');
  });
});

describe('running graphs in every format', () => {
  it('runs a library graph by name and tags the job with it', async () => {
    await put('runnable', numberDocument(11));
    const ws = await RecordingSocket.connect(t.url, 'run-by-name');
    const res = await t.postJson('/api/graphs/run', { name: 'runnable', client_id: 'run-by-name' });
    const { prompt_id } = (await res.json()) as { prompt_id: string };
    expect(await outputsOf(prompt_id, 'run-by-name', ws)).toEqual({ '2': { text: ['11'] } });
    const job = (await (await t.fetch(`/api/jobs/${prompt_id}`)).json()) as { workflow_id: string };
    expect(job.workflow_id).toBe('runnable');
    await ws.close();
  });

  it('runs a graph document given in the body', async () => {
    const ws = await RecordingSocket.connect(t.url, 'run-body');
    const res = await t.postJson('/api/graphs/run', { graph: numberDocument(12), client_id: 'run-body' });
    const { prompt_id } = (await res.json()) as { prompt_id: string };
    expect(await outputsOf(prompt_id, 'run-body', ws)).toEqual({ '2': { text: ['12'] } });
    await ws.close();
  });

  it('runs a graph document posted to /prompt as "graph"', async () => {
    const ws = await RecordingSocket.connect(t.url, 'prompt-graph');
    const res = await t.postJson('/prompt', { graph: numberDocument(13), client_id: 'prompt-graph' });
    const { prompt_id } = (await res.json()) as { prompt_id: string };
    expect(await outputsOf(prompt_id, 'prompt-graph', ws)).toEqual({ '2': { text: ['13'] } });
    await ws.close();
  });

  it('runs a ComfyUI UI workflow posted to /prompt', async () => {
    const ws = await RecordingSocket.connect(t.url, 'prompt-workflow');
    const res = await t.postJson('/prompt', { prompt: numberWorkflow(14), client_id: 'prompt-workflow' });
    expect(res.status).toBe(200);
    const { prompt_id } = (await res.json()) as { prompt_id: string };
    expect(await outputsOf(prompt_id, 'prompt-workflow', ws)).toEqual({ '2': { text: ['14'] } });
    await ws.close();
  });

  it('refuses a UI workflow with an unknown node type, naming it', async () => {
    const workflow = numberWorkflow(1) as { nodes: { type: string }[] };
    workflow.nodes[0]!.type = 'MissingPackNode';
    const res = await t.postJson('/prompt', { prompt: workflow });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { type: string; message: string } };
    expect(body.error.type).toBe('invalid_prompt');
    expect(body.error.message).toContain('MissingPackNode');
  });

  it('refuses to run an unknown library graph', async () => {
    const res = await t.postJson('/api/graphs/run', { name: 'ghost' });
    expect(res.status).toBe(404);
    expect((await errorOf(res)).message).toBe('No graph named "ghost"');
  });

  it('refuses a run request without name or graph', async () => {
    const res = await t.postJson('/api/graphs/run', { client_id: 'x' });
    expect((await errorOf(res)).message).toBe('Give the graph to run as "name" (from the library) or "graph" (a document)');
  });
});
