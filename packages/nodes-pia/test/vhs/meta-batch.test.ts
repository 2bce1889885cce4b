/**
 * Meta-batching through the real executor and the real pack: a lossless 40-frame video, frame i a flat colour
 * (red 6·i + 5, blue 240 − 5·i), loaded 16 frames per batch, each chunk upscaled ×2 (nearest), appended by Video
 * Combine to one MP4. The written file is decoded with the ffmpeg command line (not our reader) and every frame's
 * colour says which source frame it is.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Executor, NodeRegistry, toApiPrompt, type ApiPrompt, type ExecutionEvent, type FileRef, type RunResult } from '@piagraph/graph-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPiaPack, type PiaPack } from '../../src/pack.js';
import { centreColours, writeTestVideo } from './helpers.js';

let root: string;
let pack: PiaPack;
let registry: NodeRegistry;
const dir = (name: string) => join(root, name);

const colour = (i: number) => ({ r: 6 * i + 5, g: 100, b: 240 - 5 * i });

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'piagraph-meta-'));
  await mkdir(dir('input'), { recursive: true });
  pack = createPiaPack({ modelsDir: dir('models'), inputDir: dir('input'), outputDir: dir('output'), tempDir: dir('temp'), demo: false });
  registry = new NodeRegistry().register(...pack.nodes);
  await writeTestVideo(join(dir('input'), 'long.mkv'), 40, { width: 64, height: 48, fps: 8 }, colour);
  await writeTestVideo(join(dir('input'), 'short.mkv'), 30, { width: 64, height: 48, fps: 8 }, colour);
  await mkdir(join(dir('input'), 'shots'));
  for (let i = 0; i < 10; i++) {
    await sharp({ create: { width: 32, height: 24, channels: 3, background: colour(i) } }).png().toFile(join(dir('input'), 'shots', `shot-${String(i).padStart(2, '0')}.png`));
  }
}, 120_000);
afterAll(async () => {
  await pack?.release();
  await rm(root, { recursive: true, force: true });
});

const LOAD = { force_rate: 0, custom_width: 0, custom_height: 0, frame_load_cap: 0, skip_first_frames: 0, select_every_nth: 1, format: 'None' };
const COMBINE = { frame_rate: 8, loop_count: 0, pingpong: false, save_output: true, format: 'video/h264-mp4', crf: 0 };

/** Manager → Load Video → Upscale ×2 → Video Combine, the loader and Video Combine on the manager. */
function graph(options: { perBatch?: number; prefix: string; video?: string; combine?: Record<string, unknown>; load?: Record<string, unknown> }): ApiPrompt {
  return {
    '1': { class_type: 'VHS_BatchManager', inputs: { frames_per_batch: options.perBatch ?? 16 } },
    '2': { class_type: 'VHS_LoadVideo', inputs: { video: options.video ?? 'long.mkv', ...LOAD, ...options.load, meta_batch: ['1', 0] } },
    '3': { class_type: 'ImageScaleBy', inputs: { image: ['2', 0], upscale_method: 'nearest-exact', scale_by: 2 } },
    '4': { class_type: 'VHS_VideoCombine', inputs: { images: ['3', 0], filename_prefix: options.prefix, ...COMBINE, ...options.combine, meta_batch: ['1', 0] } },
  };
}

async function run(prompt: ApiPrompt, signal?: AbortSignal, onEvent?: (e: ExecutionEvent) => void): Promise<{ result: RunResult; events: ExecutionEvent[] }> {
  const events: ExecutionEvent[] = [];
  const result = await new Executor(registry).run(prompt, {
    promptId: 'meta',
    ...(signal ? { signal } : {}),
    onEvent: (e) => {
      events.push(e);
      onEvent?.(e);
    },
  });
  return { result, events };
}

/** Every frame of `file` decoded by the ffmpeg command line, as the source frame index its centre colour names. */
function decodedFrames(file: string, width: number, height: number): number[] {
  return centreColours(file, width, height).map(([r, g, b], f) => {
    const i = Math.round((r - 5) / 6) || 0; // not −0
    // H.264 at crf 0 in 4:2:0 is near-lossless on flat colour: every channel within a few levels of the source.
    const expected = colour(i);
    expect(Math.abs(r - expected.r) <= 3 && Math.abs(g - expected.g) <= 3 && Math.abs(b - expected.b) <= 3, `frame ${f}: ${r},${g},${b}`).toBe(true);
    return i;
  });
}

/** ffmpeg processes this test process has started that are still there. */
function ffmpegChildren(): string[] {
  const out = execFileSync('ps', ['-o', 'pid=,comm=', '--ppid', String(process.pid)], { encoding: 'utf8' });
  return out.split('\n').filter((line) => line.includes('ffmpeg'));
}

const outputFiles = (sub: string) => (existsSync(join(dir('output'), sub)) ? readdirSync(join(dir('output'), sub)) : []);

describe('VHS_BatchManager meta-batching', { timeout: 120_000 }, () => {
  it('loads 40 frames 16 at a time over 3 runs of the graph and writes them all, in order, to one video', async () => {
    const { result, events } = await run(graph({ prefix: 'whole/long' }));
    expect(result.status, JSON.stringify(result.error ?? null)).toBe('success');
    expect(result.passes).toBe(3);
    // The per-frame node ran once per chunk; the loader reported 16, 32, then 40 frames loaded.
    expect(events.filter((e) => e.type === 'executing' && e.data.node === '3')).toHaveLength(3);
    expect(events.filter((e) => e.type === 'progress' && e.data.node === '2').map((e) => e.type === 'progress' && e.data.value)).toEqual([16, 32, 40]);
    // One prompt to clients: one start, one success; Video Combine shows its file once, at the end.
    expect(events.filter((e) => e.type === 'execution_start' || e.type === 'execution_success').map((e) => e.type)).toEqual(['execution_start', 'execution_success']);
    const gifs = result.outputs['4']!['gifs'] as FileRef[];
    expect(gifs).toHaveLength(1);
    expect(gifs[0]).toMatchObject({ subfolder: 'whole', filename: 'long_00001_.mp4', format: 'video/h264-mp4', frame_count: 40, width: 128, height: 96 });
    expect(outputFiles('whole')).toEqual(['long_00001_.mp4']);
    expect(decodedFrames(join(dir('output'), 'whole', 'long_00001_.mp4'), 128, 96)).toEqual(Array.from({ length: 40 }, (_, i) => i));
  });

  it('honours the selection across chunks: skip 5, every 3rd, cap 9 → frames 5, 8, … 29 in batches of 4, 4, 1', async () => {
    const { result, events } = await run(graph({ prefix: 'picked/long', perBatch: 4, load: { skip_first_frames: 5, select_every_nth: 3, frame_load_cap: 9 } }));
    expect(result.status, JSON.stringify(result.error ?? null)).toBe('success');
    expect(result.passes).toBe(3);
    expect(events.filter((e) => e.type === 'progress' && e.data.node === '2').map((e) => e.type === 'progress' && e.data.value)).toEqual([4, 8, 9]);
    const [file] = outputFiles('picked');
    expect(decodedFrames(join(dir('output'), 'picked', file!), 128, 96)).toEqual([5, 8, 11, 14, 17, 20, 23, 26, 29]);
  });

  it('loads a folder of 10 images 4 at a time with Load Images into one video of the 10, in order', async () => {
    const prompt: ApiPrompt = {
      '1': { class_type: 'VHS_BatchManager', inputs: { frames_per_batch: 4 } },
      '2': { class_type: 'VHS_LoadImages', inputs: { directory: 'shots', meta_batch: ['1', 0] } },
      '4': { class_type: 'VHS_VideoCombine', inputs: { images: ['2', 0], filename_prefix: 'shots/all', ...COMBINE, meta_batch: ['1', 0] } },
    };
    const { result, events } = await run(prompt);
    expect(result.status, JSON.stringify(result.error ?? null)).toBe('success');
    expect(result.passes).toBe(3);
    expect(events.filter((e) => e.type === 'progress' && e.data.node === '2').map((e) => e.type === 'progress' && [e.data.value, e.data.max])).toEqual([[4, 10], [8, 10], [10, 10]]);
    expect(decodedFrames(join(dir('output'), 'shots', 'all_00001_.mp4'), 32, 24)).toEqual(Array.from({ length: 10 }, (_, i) => i));
  });

  it("imports VHS's UI workflow (dict widgets_values with the manager's own `count`) and runs it in batches", async () => {
    const workflow = JSON.parse(await readFile(join(import.meta.dirname, 'fixtures', 'vhs-meta-batch.json'), 'utf8')) as unknown;
    const prompt = toApiPrompt(workflow, registry);
    expect(prompt['3']).toMatchObject({ class_type: 'VHS_BatchManager', inputs: { frames_per_batch: 16 } });
    expect(prompt['1']!.inputs['meta_batch']).toEqual(['3', 0]);
    expect(prompt['2']!.inputs['meta_batch']).toEqual(['3', 0]);
    const { result } = await run(prompt);
    expect(result.status, JSON.stringify(result.error ?? null)).toBe('success');
    expect(result.passes).toBe(3);
    expect(decodedFrames(join(dir('output'), 'ui', 'long_00001_.mp4'), 64, 48)).toEqual(Array.from({ length: 40 }, (_, i) => i));
  });

  it('is one run when the video fits in one batch', async () => {
    const { result } = await run(graph({ prefix: 'fits/long', perBatch: 64 }));
    expect(result.status).toBe('success');
    expect(result.passes).toBeUndefined();
    expect((result.outputs['4']!['gifs'] as FileRef[])[0]).toMatchObject({ frame_count: 40 });
  });

  it('refuses frames_per_batch below 1 before anything runs, naming the input', async () => {
    const { result } = await run(graph({ prefix: 'zero/long', perBatch: 0 }));
    expect(result.status).toBe('error');
    expect(JSON.stringify(result.validation?.nodeErrors['1'])).toContain('frames_per_batch');
    expect(outputFiles('zero')).toEqual([]);
  });

  it('fails naming meta_batch when loaders on one manager have different lengths, and leaves no partial file', async () => {
    const prompt = graph({ prefix: 'uneven/long' });
    prompt['5'] = { class_type: 'VHS_LoadVideo', inputs: { video: 'short.mkv', ...LOAD, meta_batch: ['1', 0] } };
    prompt['6'] = { class_type: 'VHS_MergeImages', inputs: { images_A: ['3', 0], images_B: ['5', 0], merge_strategy: 'match A', scale_method: 'nearest-exact', crop: 'disabled' } };
    prompt['4']!.inputs['images'] = ['6', 0];
    const { result } = await run(prompt);
    expect(result.status).toBe('error');
    // 40 and 30 frames by 16: batch 1 is 16 and 16, batch 2 is 16 with more to come against 14 and the end.
    expect(result.error?.exception_message).toMatch(/^meta_batch: the loaders sharing Meta Batch Manager 1 have different lengths: in batch 2 /);
    expect(outputFiles('uneven')).toEqual([]);
    expect(ffmpegChildren()).toEqual([]);
  });

  it('refuses formats and options that need every frame at once, naming them', async () => {
    const gif = await run(graph({ prefix: 'gif/long', combine: { format: 'image/gif' } }));
    expect(gif.result.error?.exception_message).toContain('format image/gif cannot be written a chunk at a time');
    const pingpong = await run(graph({ prefix: 'pingpong/long', combine: { pingpong: true } }));
    expect(pingpong.result.error?.exception_message).toContain('pingpong needs every frame at the end');
    const loop = await run(graph({ prefix: 'loop/long', combine: { loop_count: 2 } }));
    expect(loop.result.error?.exception_message).toContain('loop_count 2 repeats every frame');
    expect([...outputFiles('gif'), ...outputFiles('pingpong'), ...outputFiles('loop')]).toEqual([]);
  });

  it('refuses a frames_per_batch that does not suit the load format, suggesting one', async () => {
    const { result } = await run(graph({ prefix: 'wan/long', load: { format: 'Wan' } }));
    expect(result.error?.exception_message).toBe('meta_batch: frames_per_batch 16 does not suit format Wan, whose frame counts are 4·n + 1; try 17');
  });

  it('removes the partial video when the run is interrupted between batches', async () => {
    const controller = new AbortController();
    const { result } = await run(graph({ prefix: 'stopped/long' }), controller.signal, (e) => {
      if (e.type === 'executed' && e.data.node === '4') controller.abort();
    });
    expect(result.status).toBe('interrupted');
    expect(outputFiles('stopped')).toEqual([]);
    expect(ffmpegChildren()).toEqual([]);
  });
});
