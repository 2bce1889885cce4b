/**
 * The real PIA pack behind the server, on the demo model: the graph embedded in saved videos, `POST /free`
 * releasing the loaded sessions, and shutdown releasing them.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { extractEmbeddedGraph, type FileRef } from '@piagraph/graph-core';
import { DEMO_CHECKPOINT, DEMO_PIA, type UNetHandle } from '@piagraph/nodes-pia';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const EXAMPLE = resolve(import.meta.dirname, '../../../../examples/pia-image-to-video.json');

interface GraphDoc {
  nodes: Record<string, { values: Record<string, unknown> }>;
}

interface HistoryEntry {
  prompt: [number, string, Record<string, unknown>, Record<string, unknown>, string[]];
  outputs: Record<string, { gifs?: FileRef[] }>;
  status: { status_str: string; messages: [string, Record<string, unknown>][] };
}

/** The canonical example at 2 sampler steps and `seed`, as the editor submits it: a graph document. */
function exampleDocument(seed: number): GraphDoc {
  const doc = JSON.parse(readFileSync(EXAMPLE, 'utf8')) as GraphDoc;
  doc.nodes['7']!.values = { ...doc.nodes['7']!.values, steps: 2, seed };
  return doc;
}

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

async function runToEnd(body: Record<string, unknown>): Promise<HistoryEntry> {
  const res = await t.postJson('/prompt', body);
  expect(res.status).toBe(200);
  const { prompt_id } = (await res.json()) as { prompt_id: string };
  await t.server.worker.idle();
  const history = (await (await t.fetch(`/history/${prompt_id}`)).json()) as Record<string, HistoryEntry>;
  const entry = history[prompt_id]!;
  expect(entry.status.status_str).toBe('success');
  return entry;
}

function savedVideo(entry: HistoryEntry): Uint8Array {
  const ref = entry.outputs['9']!.gifs![0]!;
  return readFileSync(join(t.dataDir, 'output', ref.subfolder, ref.filename));
}

function cachedNodes(entry: HistoryEntry): string[] {
  const message = entry.status.messages.find(([type]) => type === 'execution_cached')!;
  return [...(message[1]['nodes'] as string[])].sort();
}

/** The example's PIA U-Net as the pack's model store holds it (opened if it is not). */
async function loadedUNet(): Promise<UNetHandle> {
  const pack = t.server.pack!.context;
  return pack.store.unet((await pack.checkpointRecipes(DEMO_CHECKPOINT, DEMO_PIA)).model);
}

/** The document with another sampler seed: a change that makes the sampler, and so the U-Net, run again. */
function reseeded(doc: GraphDoc, seed: number): GraphDoc {
  const copy = structuredClone(doc);
  copy.nodes['7']!.values = { ...copy.nodes['7']!.values, seed };
  return copy;
}

describe('the PIA pack in the server', { timeout: 120_000 }, () => {
  it('embeds the submitted graph document and the prompt in the saved video', async () => {
    const doc = exampleDocument(1);
    const entry = await runToEnd({ prompt: doc, client_id: 'pia' });
    const embedded = extractEmbeddedGraph(savedVideo(entry));
    expect(embedded?.graph).toEqual(doc);
    expect(embedded?.prompt).toEqual(entry.prompt[2]);
    expect(embedded?.workflow).toBeUndefined();
  });

  it("embeds the workflow a ComfyUI client sends in extra_data.extra_pnginfo with an API prompt", async () => {
    const prompt = (await runToEnd({ prompt: exampleDocument(1) })).prompt[2];
    const workflow = { last_node_id: 9, nodes: [], links: [], extra: { note: 'from the frontend' }, version: 0.4 };
    (prompt['7'] as { inputs: Record<string, unknown> }).inputs['seed'] = 2;
    const entry = await runToEnd({ prompt, extra_data: { extra_pnginfo: { workflow } } });
    const embedded = extractEmbeddedGraph(savedVideo(entry));
    expect(embedded?.workflow).toEqual(workflow);
    expect(embedded?.prompt).toEqual(prompt);
    expect(embedded?.graph).toBeUndefined();
  });

  it('releases the loaded sessions on POST /free {unload_models}, and the next run loads the model again', async () => {
    const doc = exampleDocument(3);
    await runToEnd({ prompt: doc });
    const before = await loadedUNet();
    const release = vi.spyOn(before, 'release');
    expect((await t.postJson('/free', { unload_models: true })).status).toBe(200);
    await t.server.worker.idle();
    expect(release).toHaveBeenCalledOnce();

    // MODEL, CLIP and VAE are recipes: the cached outputs stay valid; a run that samples opens new sessions.
    const again = await runToEnd({ prompt: reseeded(doc, 99) });
    expect(cachedNodes(again)).toEqual(['1', '2', '3', '4', '5', '6']);
    expect(await loadedUNet()).not.toBe(before);
  });

  it('drops the cached outputs too on POST /free {free_memory}', async () => {
    const doc = exampleDocument(4);
    await runToEnd({ prompt: doc });
    const release = vi.spyOn(await loadedUNet(), 'release');
    await t.postJson('/free', { free_memory: true });
    await t.server.worker.idle();
    expect(release).toHaveBeenCalledOnce();
    expect(cachedNodes(await runToEnd({ prompt: doc }))).toEqual([]);
  });

  it('keeps the models loaded on POST /free {free_memory, unload_models: false}', async () => {
    const release = vi.spyOn(await loadedUNet(), 'release');
    await t.postJson('/free', { free_memory: true, unload_models: false });
    await t.server.worker.idle();
    expect(release).not.toHaveBeenCalled();
  });

  it('releases the loaded sessions when the server closes', async () => {
    await runToEnd({ prompt: exampleDocument(5) });
    const release = vi.spyOn(await loadedUNet(), 'release');
    await t.close();
    expect(release).toHaveBeenCalledOnce();
  });
});
