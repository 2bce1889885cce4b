/**
 * ComfyUI's own graphs through the server and the CLI, unchanged except the checkpoint name (and, to keep the suite
 * quick, the latent size and step count): its `basic_api_example.py` prompt and the default workflow in UI format
 * through `POST /prompt`, and the default workflow through `piagraph run`.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FileRef } from '@piagraph/graph-core';
import { DEMO_CHECKPOINT } from '@piagraph/nodes-pia';
import { exitWithin, killSpawned, spawnCli } from '../helpers/spawn-cli.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const FIXTURES = resolve(import.meta.dirname, '../../../nodes-pia/test/fixtures/comfyui');
const fixture = (name: string) => JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as Record<string, unknown>;

interface UiNode {
  type: string;
  widgets_values?: unknown[];
}

/** The default workflow on the demo checkpoint at 64×64 and 3 steps: only widget values change. */
function defaultWorkflowOnDemo(): Record<string, unknown> {
  const workflow = fixture('default-workflow.json');
  for (const node of workflow['nodes'] as UiNode[]) {
    if (node.type === 'CheckpointLoaderSimple') node.widgets_values = [DEMO_CHECKPOINT];
    if (node.type === 'EmptyLatentImage') node.widgets_values = [64, 64, 1];
    if (node.type === 'KSampler') node.widgets_values![2] = 3;
  }
  return workflow;
}

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => {
  killSpawned();
  await t.close();
});

async function runToEnd(body: Record<string, unknown>): Promise<Record<string, { images?: FileRef[] }>> {
  const res = await t.postJson('/prompt', body);
  expect(res.status, await res.clone().text()).toBe(200);
  const { prompt_id } = (await res.json()) as { prompt_id: string };
  await t.server.worker.idle();
  const history = (await (await t.fetch(`/history/${prompt_id}`)).json()) as Record<string, { outputs: Record<string, { images?: FileRef[] }>; status: { status_str: string } }>;
  expect(history[prompt_id]!.status.status_str).toBe('success');
  return history[prompt_id]!.outputs;
}

describe("ComfyUI's graphs through the server", { timeout: 180_000 }, () => {
  it('runs the basic_api_example prompt posted as ComfyUI clients post it, and serves the PNG from /view', async () => {
    const prompt = fixture('basic-api-example.json') as Record<string, { inputs: Record<string, unknown> }>;
    prompt['4']!.inputs['ckpt_name'] = DEMO_CHECKPOINT;
    Object.assign(prompt['5']!.inputs, { width: 64, height: 64 });
    prompt['3']!.inputs['steps'] = 3;
    const outputs = await runToEnd({ prompt, client_id: 'script' });
    const image = outputs['9']!.images![0]!;
    expect(image.filename).toMatch(/^ComfyUI_\d{5}_\.png$/);
    const view = await t.fetch(`/view?filename=${image.filename}&subfolder=${image.subfolder}&type=${image.type}`);
    expect(view.status).toBe(200);
    expect(view.headers.get('content-type')).toBe('image/png');
  });

  it('runs the default workflow posted in UI format, as the editor and ComfyUI frontends can', async () => {
    const outputs = await runToEnd({ prompt: defaultWorkflowOnDemo() });
    expect(outputs['9']!.images).toHaveLength(1);
  });

  it('runs the default workflow with piagraph run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'piagraph-cli-comfy-'));
    writeFileSync(join(dir, 'default.json'), JSON.stringify(defaultWorkflowOnDemo()));
    const proc = spawnCli(['run', join(dir, 'default.json'), '--data-dir', join(dir, 'data')]);
    expect(await exitWithin(proc, 150_000), proc.output()).toBe(0);
    expect(proc.output()).toMatch(/ComfyUI_00001_\.png/);
  });
});
