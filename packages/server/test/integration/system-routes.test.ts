import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
  writeFileSync(join(t.dataDir, 'models', 'checkpoints', 'tiny.safetensors'), 'x');
  writeFileSync(join(t.dataDir, 'models', 'embeddings', 'bad-hands.pt'), 'x');
});
afterAll(() => t.close());

describe('node definitions and server facts', () => {
  it('lists every registered node in object_info with the fields the ComfyUI frontend requires', async () => {
    const info = (await (await t.fetch('/object_info')).json()) as Record<string, Record<string, unknown>>;
    expect(Object.keys(info)).toEqual(expect.arrayContaining(['TestNumber', 'TestOutput', 'TestSlow']));
    for (const field of ['name', 'display_name', 'description', 'category', 'output_node', 'python_module', 'input', 'output']) {
      expect(info.TestOutput).toHaveProperty(field);
    }
    expect(info.TestOutput!.output_node).toBe(true);
  });

  it('returns one class from /object_info/{class}', async () => {
    const info = (await (await t.fetch('/object_info/TestSlow')).json()) as Record<string, unknown>;
    expect(Object.keys(info)).toEqual(['TestSlow']);
  });

  it('answers an unknown class with 200 and {} (the saintno client depends on it)', async () => {
    const res = await t.fetch('/object_info/Primitive%20boolean%20%5BCrystools%5D');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({});
  });

  it('reports system_stats in ComfyUI’s shape', async () => {
    const body = (await (await t.fetch('/system_stats')).json()) as { system: Record<string, unknown>; devices: unknown[] };
    expect(body.system).toMatchObject({ os: process.platform, ram_total: expect.any(Number), comfyui_version: expect.stringContaining('piagraph') });
    expect(body.devices).toHaveLength(1);
  });

  it('advertises preview metadata support and the upload limit in /features', async () => {
    expect(await (await t.fetch('/features')).json()).toEqual({ supports_preview_metadata: true, max_upload_size: 100 * 1024 * 1024 });
  });

  it('lists model folders and their files', async () => {
    expect(await (await t.fetch('/models')).json()).toEqual(expect.arrayContaining(['checkpoints', 'pia', 'vae', 'embeddings']));
    expect(await (await t.fetch('/models/checkpoints')).json()).toEqual(['tiny.safetensors']);
  });

  it('answers an unknown model folder with 404', async () => {
    expect((await t.fetch('/models/loras')).status).toBe(404);
  });

  it('lists embeddings without their extension', async () => {
    expect(await (await t.fetch('/embeddings')).json()).toEqual(['bad-hands']);
  });

  it('lists no frontend extensions', async () => {
    expect(await (await t.fetch('/api/extensions')).json()).toEqual([]);
  });

  it('accepts the log subscription call with 200', async () => {
    const res = await t.fetch('/internal/logs/subscribe', { method: 'PATCH', body: '{"clientId":"x","enabled":true}' });
    expect(res.status).toBe(200);
  });
});
