/** The cases of the fuzz test and how each is sent: built ahead of time from one seed, so a run replays exactly. */
import WebSocket from 'ws';
import { mutate, mutateText, randomJson, randomPrompt, randomQuery, randomString, randomUpload, seedGraphs } from './generators.js';
import type { Rng } from './random.js';

/** No single answer may take longer (the loaded CI machine included). */
export const ANSWER_BOUND_MS = 20_000;

/** One thing to send, built ahead of time from the seed so that concurrency cannot change what is sent. */
export type Case =
  | { kind: 'http'; method: string; path: string; headers: Record<string, string>; body?: string | Buffer }
  | { kind: 'ws'; clientId: string; messages: (string | Buffer)[] };

export function describeCase(index: number, c: Case): string {
  if (c.kind === 'ws') return `#${index} ws clientId=${JSON.stringify(c.clientId.slice(0, 80))} messages=${c.messages.length}`;
  const body = c.body === undefined ? '' : ` body=${JSON.stringify(String(c.body).slice(0, 300))}${String(c.body).length > 300 ? '…' : ''}`;
  return `#${index} ${c.method} ${c.path.slice(0, 200)}${body}`;
}

const ROUTES_GET = ['/prompt', '/queue', '/history', '/history/{id}', '/object_info', '/object_info/{x}', '/view', '/system_stats', '/features', '/models', '/models/{x}', '/embeddings', '/extensions', '/api/jobs', '/api/jobs/{id}', '/api/graphs', '/api/graphs/{x}', '/api/graphs/{x}/revisions', '/', '/{x}', '/assets/{x}'];
const ROUTES_POST = ['/prompt', '/queue', '/history', '/interrupt', '/free', '/api/queue/reorder', '/api/graphs/run', '/upload/image', '/{x}'];

function fill(rng: Rng, route: string, ids: string[]): string {
  return route.replace(/\{(\w+)\}/g, (_, what: string) => {
    const raw = what === 'id' && ids.length > 0 && rng.chance(0.5) ? rng.pick(ids) : rng.chance(0.3) ? rng.pick(['TestNumber', 'checkpoints', 'pia', 'fuzz', '..', '%2e%2e', '%00']) : randomString(rng);
    try {
      return rng.chance(0.8) ? encodeURIComponent(raw) : raw.replace(/[\s?#]/g, '_');
    } catch {
      return 'lone';
    }
  });
}

export function buildCases(rng: Rng, count: number, seed: number): Case[] {
  const graphs = seedGraphs();
  const ids = Array.from({ length: 5 }, (_, i) => `fuzz-${seed}-${i}`);
  const json = { 'Content-Type': 'application/json' };
  const cases: Case[] = [];
  for (let i = 0; i < count; i++) {
    const kind = rng.weighted<string>([[30, 'prompt'], [12, 'graph'], [14, 'get'], [10, 'post'], [8, 'text'], [7, 'upload'], [4, 'odd'], [4, 'ws']]);
    switch (kind) {
      case 'prompt': {
        const base = rng.chance(0.5) ? randomPrompt(rng) : rng.chance(0.5) ? mutate(rng, randomPrompt(rng)) : mutate(rng, rng.pick(graphs));
        const body: Record<string, unknown> = { prompt: base };
        if (rng.chance(0.5)) body.client_id = rng.chance(0.7) ? `fuzz-client-${rng.int(0, 3)}` : randomJson(rng, 1);
        if (rng.chance(0.2)) body.prompt_id = rng.chance(0.5) ? rng.pick(ids) : randomJson(rng, 1);
        if (rng.chance(0.2)) body.extra_data = rng.chance(0.6) ? { extra_pnginfo: { workflow: mutate(rng, rng.pick(graphs)) } } : randomJson(rng, 3);
        if (rng.chance(0.1)) body.number = randomJson(rng, 0);
        if (rng.chance(0.1)) body.front = randomJson(rng, 0);
        if (rng.chance(0.1)) body.partial_execution_targets = randomJson(rng, 1);
        cases.push({ kind: 'http', method: 'POST', path: rng.chance(0.5) ? '/prompt' : '/api/prompt', headers: json, body: JSON.stringify(rng.chance(0.1) ? mutate(rng, body) : body) });
        break;
      }
      case 'graph': {
        const name = rng.chance(0.6) ? `fuzz${rng.int(0, 4)}` : fill(rng, '{x}', ids);
        const doc = rng.chance(0.3) ? rng.pick(graphs) : mutate(rng, rng.pick(graphs));
        const action = rng.weighted<string>([[4, 'put'], [1, 'delete'], [2, 'run']]);
        const headers: Record<string, string> = { ...json };
        if (rng.chance(0.4)) headers['If-Match'] = rng.pick(['"1"', '2', 'W/"3"', '*', randomString(rng).replace(/[^\x20-\x7e]/g, '')]);
        if (action === 'put') cases.push({ kind: 'http', method: 'PUT', path: `/api/graphs/${name}`, headers, body: JSON.stringify(rng.chance(0.3) ? { document: doc, revision: randomJson(rng, 0) } : doc) });
        else if (action === 'delete') cases.push({ kind: 'http', method: 'DELETE', path: `/api/graphs/${name}`, headers });
        else cases.push({ kind: 'http', method: 'POST', path: '/api/graphs/run', headers: json, body: JSON.stringify(rng.chance(0.5) ? { name: decodeSafe(name), revision: randomJson(rng, 0) } : { graph: doc }) });
        break;
      }
      case 'get':
        cases.push({ kind: 'http', method: rng.chance(0.9) ? 'GET' : 'HEAD', path: fill(rng, rng.pick(ROUTES_GET), ids) + randomQuery(rng), headers: {} });
        break;
      case 'post': {
        const body = rng.chance(0.7) ? { clear: randomJson(rng, 0), delete: rng.chance(0.5) ? ids : randomJson(rng, 1), prompt_id: rng.chance(0.5) ? rng.pick(ids) : randomJson(rng, 0), position: randomJson(rng, 0), unload_models: randomJson(rng, 0), free_memory: rng.chance(0.1) } : randomJson(rng, 3);
        cases.push({ kind: 'http', method: 'POST', path: fill(rng, rng.pick(ROUTES_POST.filter((r) => r !== '/upload/image')), ids) + randomQuery(rng), headers: json, body: JSON.stringify(body) });
        break;
      }
      case 'text': {
        const base = JSON.stringify({ prompt: randomPrompt(rng), extra_data: randomJson(rng, 2) });
        cases.push({ kind: 'http', method: rng.pick(['POST', 'PUT']), path: rng.pick(['/prompt', '/api/graphs/fuzz-text', '/queue', '/history', '/api/queue/reorder', '/api/graphs/run']), headers: { 'Content-Type': rng.pick(['application/json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) }, body: mutateText(rng, base) });
        break;
      }
      case 'upload': {
        const { body, contentType } = randomUpload(rng);
        cases.push({ kind: 'http', method: 'POST', path: '/upload/image', headers: { 'Content-Type': rng.chance(0.95) ? contentType : 'text/plain' }, body });
        break;
      }
      case 'odd':
        cases.push({
          kind: 'http',
          method: rng.pick(['PATCH', 'OPTIONS', 'DELETE', 'PUT', 'POST', 'GET']),
          path: fill(rng, rng.pick([...ROUTES_GET, ...ROUTES_POST, '/api/queue/pause', '/api/queue/resume']), ids) + randomQuery(rng),
          headers: rng.pick<Record<string, string>>([{}, { Origin: 'https://evil.example' }, { Origin: 'null' }, { 'Content-Type': 'application/json', 'If-Match': 'nonsense' }, { Authorization: 'Bearer x' }, { Range: 'bytes=5-1' }]),
          ...(rng.chance(0.5) ? { body: JSON.stringify(randomJson(rng, 2)) } : {}),
        });
        break;
      default:
        cases.push({
          kind: 'ws',
          clientId: rng.chance(0.6) ? `fuzz-client-${rng.int(0, 3)}` : randomString(rng),
          messages: Array.from({ length: rng.int(0, 3) }, () =>
            rng.weighted<string | Buffer>([[3, JSON.stringify(rng.chance(0.5) ? { type: 'feature_flags', data: randomJson(rng, 2) } : randomJson(rng, 3))], [1, mutateText(rng, '{"type":"feature_flags","data":{}}')], [1, Buffer.alloc(rng.int(0, 100_000), rng.int(0, 255))]]),
          ),
        });
    }
  }
  return cases;
}

function decodeSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Sends one case; resolves with a problem description, or undefined when the server answered properly. */
export async function send(url: string, c: Case): Promise<string | undefined> {
  if (c.kind === 'ws') return sendWs(url, c);
  let headers = c.headers;
  let body = c.body;
  if ((c.method === 'GET' || c.method === 'HEAD') && body !== undefined) body = undefined;
  if (body === undefined && 'Content-Type' in headers && (c.method === 'GET' || c.method === 'HEAD')) headers = {};
  let res: Response;
  try {
    res = await fetch(url + c.path, { method: c.method, headers, ...(body !== undefined ? { body: typeof body === 'string' ? body : new Uint8Array(body) } : {}), signal: AbortSignal.timeout(ANSWER_BOUND_MS), redirect: 'manual' });
  } catch (err) {
    return `no answer: ${(err as Error).name}: ${(err as Error).message}`;
  }
  const text = await res.text().catch((err: unknown) => `<body cut: ${(err as Error).message}>`);
  if (res.status >= 500) return `answered ${res.status}: ${text.slice(0, 300)}`;
  return undefined;
}

function sendWs(url: string, c: Extract<Case, { kind: 'ws' }>): Promise<string | undefined> {
  return new Promise((resolve) => {
    let id: string;
    try {
      id = encodeURIComponent(c.clientId);
    } catch {
      id = 'lone';
    }
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/ws?clientId=${id}`);
    const timer = setTimeout(() => {
      ws.terminate();
      resolve('WebSocket got no welcome within the bound');
    }, ANSWER_BOUND_MS);
    ws.on('unexpected-response', (_req, res) => {
      clearTimeout(timer);
      resolve((res.statusCode ?? 0) >= 500 ? `WebSocket upgrade answered ${res.statusCode}` : undefined);
    });
    ws.on('error', () => {});
    ws.once('message', () => {
      for (const m of c.messages) ws.send(m);
      setTimeout(() => {
        clearTimeout(timer);
        ws.terminate();
        resolve(undefined);
      }, 50);
    });
    ws.once('close', () => {
      clearTimeout(timer);
      resolve(undefined);
    });
  });
}

