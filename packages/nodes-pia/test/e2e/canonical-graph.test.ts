/**
 * The canonical example graph, run headless in-process through graph-core's Executor on the demo model: the output
 * file read back, the condition path's structure, caching across a changed seed, and interruption.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractEmbeddedGraph, type ApiPrompt, type FileRef, type GraphDocument, type RunResult } from '@piagraph/graph-core';
import { prepareMaskCoefByStatistics } from '../../src/affinity/index.js';
import { DEMO_CHECKPOINT, decodeVideoLatent, encodeConditionLatent, loadImageFrames, prepareConditionPixels } from '../../src/pipeline/index.js';
import { createHarness, promptWith, readExample, type Harness } from './harness.js';

let h: Harness;
let doc: GraphDocument;
let prompt: ApiPrompt;
let first: RunResult;

/** The one file a Save Video result lists. */
function savedFile(result: RunResult, node = '9'): { path: string; ref: FileRef } {
  const ref = result.outputs[node]!['gifs']![0] as FileRef;
  return { path: join(h.dirs.output, ref.subfolder, ref.filename), ref };
}

beforeAll(async () => {
  h = await createHarness();
  doc = await readExample('pia-image-to-video.json');
  prompt = promptWith(doc, h.registry);
  // As the server passes a job submitted as a graph document: the document in `extra_pnginfo.piagraph`.
  first = (await h.run(prompt, { promptId: 'canonical', extraData: { extra_pnginfo: { piagraph: doc } } })).result;
}, 120_000);

afterAll(async () => {
  await h?.close();
});

describe('the canonical graph on the demo model', { timeout: 60_000 }, () => {
  it('runs every node and saves one GIF', () => {
    expect(first.status).toBe('success');
    expect(first.executed.sort()).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(first.outputs['9']).toMatchObject({ animated: [true], images: [{ type: 'output', subfolder: '' }] });
    expect(savedFile(first).ref).toMatchObject({ format: 'image/gif', frame_rate: 8, type: 'output' });
  });

  it('writes 8 frames of 96×64 at 8 frames per second, read back from the file', async () => {
    const meta = await sharp(savedFile(first).path, { pages: -1 }).metadata();
    expect(meta.pages).toBe(8);
    expect([meta.width, meta.pageHeight]).toEqual([96, 64]);
    // GIF delays are centiseconds; 8 fps alternates 130/120 ms so the mean is 125 ms.
    const delays = meta.delay!;
    expect(delays.reduce((a, b) => a + b, 0) / delays.length).toBe(125);
    expect(meta.loop).toBe(0);
  });

  it('embeds the graph document of the extra data and the prompt being run', async () => {
    const embedded = extractEmbeddedGraph(await readFile(savedFile(first).path));
    expect(embedded?.graph).toEqual(JSON.parse(JSON.stringify(doc)));
    expect(embedded?.prompt).toEqual(JSON.parse(JSON.stringify(prompt)));
  });

  it('shows the affinity values on the Affinity Schedule node', () => {
    expect(first.outputs['5']!['text']).toEqual(['large-motion (8 frames): 1.00 0.80 0.70 0.70 0.70 0.70 0.70 0.70']);
  });

  it('keeps the condition frame closest to the condition image and moves frames away by their affinity', async () => {
    // The reference is the condition image as the model's VAE renders it (decode of the condition latent), computed
    // here from the same pixels and seed: the demo VAE gives back a blurred picture (one colour per 8×8 block), not
    // the source PNG itself.
    const vae = await h.pack.context.store.vae((await h.pack.context.checkpointRecipes(DEMO_CHECKPOINT)).vae);
    const image = await loadImageFrames(join(h.dirs.input, 'piagraph-demo.png'));
    const pixels = await prepareConditionPixels(image, { mode: 'pia', longEdge: 96 }, 8);
    const condition = await encodeConditionLatent(vae, pixels, { mode: 'sample', seed: 42 });
    const [, c, lh, lw] = condition.dims;
    const reference = await decodeVideoLatent(vae, condition.latent, [1, c, 1, lh, lw], 1);
    const { data, info } = await sharp(savedFile(first).path, { pages: -1 }).raw().toBuffer({ resolveWithObject: true });
    const plane = 96 * 64;
    const distance = (f: number) => {
      let sum = 0;
      for (let p = 0; p < plane; p++) {
        for (let k = 0; k < 3; k++) {
          const d = data[(f * plane + p) * info.channels + k]! / 255 - reference.data[k * plane + p]!;
          sum += d * d;
        }
      }
      return Math.sqrt(sum / (3 * plane));
    };
    const distances = Array.from({ length: 8 }, (_, f) => distance(f));
    const affinity = prepareMaskCoefByStatistics(8, 0, 'large-motion');
    expect(distances[0]).toBeLessThan(Math.min(...distances.slice(1)));
    // Frame 1 (affinity 0.8) stays closer than every frame of affinity 0.7.
    for (let f = 2; f < 8; f++) {
      expect(affinity[f]).toBe(0.7);
      expect(distances[1]).toBeLessThan(distances[f]!);
    }
  });
});

describe('caching and interruption', { timeout: 60_000 }, () => {
  it('re-runs only the sampler and what follows when the seed changes', async () => {
    const { result, events } = await h.run(promptWith(doc, h.registry, { '7.seed': 43 }));
    expect(result.status).toBe('success');
    const cached = events.find((e) => e.type === 'execution_cached');
    // Everything upstream of the sampler is listed, 4 and 5 included though only 6 is read from the cache.
    expect(cached?.type === 'execution_cached' && [...cached.data.nodes].sort()).toEqual(['1', '2', '3', '4', '5', '6']);
    expect(result.executed).toEqual(['7', '8', '9']);
    expect(savedFile(result).ref.filename).toBe('piagraph_00002_.gif');
  });

  it('re-runs only Save Video for an MP4 of the same frames, which ffprobe reads back as 8 frames of 96×64 at 8 fps', async () => {
    const { result } = await h.run(promptWith(doc, h.registry, { '7.seed': 43, '9.format': 'video/h264-mp4' }));
    expect(result.executed).toEqual(['9']);
    const probe = await promisify(execFile)('ffprobe', [
      '-v', 'error', '-select_streams', 'v:0', '-count_frames',
      '-show_entries', 'stream=width,height,r_frame_rate,nb_read_frames', '-of', 'json', savedFile(result).path,
    ]);
    const stream = (JSON.parse(probe.stdout) as { streams: Record<string, unknown>[] }).streams[0];
    expect(stream).toMatchObject({ width: 96, height: 64, r_frame_rate: '8/1', nb_read_frames: '8' });
  });

  it('stops an interrupted sampler within one step', async () => {
    const controller = new AbortController();
    const steps: number[] = [];
    const { result, events } = await h.run(promptWith(doc, h.registry, { '7.seed': 44 }), {
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === 'progress' && e.data.node === '7') {
          steps.push(e.data.value);
          if (e.data.value === 2) controller.abort();
        }
      },
    });
    expect(result.status).toBe('interrupted');
    expect(steps).toEqual([1, 2]);
    const interrupted = events.find((e) => e.type === 'execution_interrupted');
    expect(interrupted?.data).toMatchObject({ node_id: '7', node_type: 'PIADDIMSampler' });
    expect(result.executed).not.toContain('8');
  });

  it('runs at long edge 72, whose 9×6 latent halves unevenly in the U-Net, and saves 72×48 frames', async () => {
    // 96×64 × 0.75 = 72×48, already multiples of 8; under the old 16-multiple policy it was floored to 64×48.
    const { result } = await h.run(promptWith(doc, h.registry, { '6.long_edge': 72, '7.steps': 2 }));
    expect(result.status).toBe('success');
    const meta = await sharp(savedFile(result).path, { pages: -1 }).metadata();
    expect([meta.width, meta.pageHeight, meta.pages]).toEqual([72, 48, 8]);
  });

  it('fails the sampler, naming frames, when frames disagrees with the affinity schedule', async () => {
    const { result } = await h.run(promptWith(doc, h.registry, { '7.frames': 16 }));
    expect(result.status).toBe('error');
    expect(result.error).toMatchObject({ node_id: '7', exception_type: 'PipelineError' });
    expect(result.error?.exception_message).toContain('frames is 16 but the affinity schedule has 8');
  });

  it('sends a JPEG preview with every sampler step', () => {
    // The first run's events are not kept; a fresh run with another seed shows them.
    return h.run(promptWith(doc, h.registry, { '7.seed': 45, '7.steps': 2 })).then(({ events }) => {
      const previews = events.filter((e) => e.type === 'preview' && e.data.node === '7');
      expect(previews).toHaveLength(2);
      expect(previews[0]!.type === 'preview' && previews[0]!.data.image.format).toBe('jpeg');
    });
  });
});
