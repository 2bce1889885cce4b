/** Inputs that used to end in a 500 (stack overflow, SQLite type errors) get a 400 that names what is wrong. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH } from '../../src/http/json-depth.js';
import { numberPrompt, startTestServer, type TestServer } from '../helpers/test-server.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

/** `{"a":{"a":…}}` `levels` deep, as text: building it as a value and stringifying it would itself overflow. */
function nestedText(levels: number, leaf = '1'): string {
  return '{"a":'.repeat(levels) + leaf + '}'.repeat(levels);
}

async function errorOf(res: Response): Promise<{ type: string; message: string }> {
  return ((await res.json()) as { error: { type: string; message: string } }).error;
}

async function postText(path: string, text: string, method = 'POST'): Promise<Response> {
  return t.fetch(path, { method, body: text, headers: { 'Content-Type': 'application/json' } });
}

describe('JSON nested 100,000 levels deep', () => {
  const deep = nestedText(100_000);
  const prompt = JSON.stringify(numberPrompt(1));
  const cases: [string, string, string, string?][] = [
    ['extra_data', '/prompt', `{"prompt":${prompt},"extra_data":${deep}}`],
    ['a node input', '/prompt', `{"prompt":{"1":{"class_type":"TestNumber","inputs":{"value":${deep}}},"2":{"class_type":"TestOutput","inputs":{"value":["1",0]}}}}`],
    ['extra_pnginfo.workflow', '/prompt', `{"prompt":${prompt},"extra_data":{"extra_pnginfo":{"workflow":${deep}}}}`],
    ['a graph document', '/api/graphs/deep', `{"format":"piagraph","version":1,"nodes":${deep}}`, 'PUT'],
    ['an array', '/prompt', `{"prompt":${prompt},"extra_data":{"x":${'['.repeat(100_000)}${']'.repeat(100_000)}}}`],
  ];
  for (const [where, path, body, method] of cases) {
    it(`in ${where}: 400 json_too_deep, and the server goes on`, async () => {
      const res = await postText(path, body, method);
      expect(res.status).toBe(400);
      const error = await errorOf(res);
      expect(error.type).toBe('json_too_deep');
      expect(error.message).toContain(`more than ${MAX_JSON_DEPTH} levels deep`);
      expect((await t.fetch('/prompt')).status).toBe(200);
    });
  }

  it('accepts extra_data nested right up to the limit, runs it and returns it from the history', async () => {
    // The body's own object and extra_data's take two levels.
    const res = await postText('/prompt', `{"prompt":${prompt},"extra_data":{"x":${nestedText(MAX_JSON_DEPTH - 2, '"leaf"')}}}`);
    expect(res.status).toBe(200);
    const { prompt_id } = (await res.json()) as { prompt_id: string };
    await t.server.worker.idle();
    const history = await t.fetch(`/history/${prompt_id}`);
    expect(history.status).toBe(200);
    const entry = ((await history.json()) as Record<string, { status: { status_str: string } }>)[prompt_id]!;
    expect(entry.status.status_str).toBe('success');
  });

  it('counts brackets inside strings as text, not nesting', async () => {
    const res = await postText('/prompt', `{"prompt":${prompt},"extra_data":{"note":"${'['.repeat(10_000)}\\"{"}}`);
    expect(res.status).toBe(200);
  });
});

describe('query numbers out of range', () => {
  const cases: [string, string][] = [
    ['/history?max_items=1e20', '"max_items" must be an integer ≥ 0, got "1e20"'],
    ['/history?max_items=100000000000000000000', '"max_items" must be at most 2147483647'],
    ['/history?offset=-1', '"offset" must be an integer ≥ 0, got "-1"'],
    ['/api/jobs?limit=1e20', '"limit" must be an integer ≥ 0, got "1e20"'],
    ['/api/jobs?offset=99999999999999999999', '"offset" must be at most 2147483647'],
    ['/api/jobs?limit=Infinity', '"limit" must be an integer ≥ 0, got "Infinity"'],
    ['/api/jobs?limit=0x10', '"limit" must be an integer ≥ 0, got "0x10"'],
    ['/api/graphs/any?revision=1e20', '"revision" must be an integer ≥ 0, got "1e20"'],
  ];
  for (const [path, message] of cases) {
    it(`${path}: 400 naming the parameter`, async () => {
      const res = await t.fetch(path);
      expect(res.status).toBe(400);
      expect((await errorOf(res)).message).toContain(message);
    });
  }

  it('still answers the largest allowed values', async () => {
    expect((await t.fetch('/history?max_items=2147483647&offset=2147483647')).status).toBe(200);
    expect((await t.fetch('/api/jobs?limit=2147483647&offset=2147483647')).status).toBe(200);
  });
});
