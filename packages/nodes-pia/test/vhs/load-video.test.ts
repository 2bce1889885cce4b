/**
 * VHS_LoadVideo / VHS_LoadVideoPath on a real video written by ffmpeg: 20 frames at 10 fps, lossless (FFV1), frame i a
 * flat colour with red = 10·i + 5, so every loaded frame tells which source frame it is. Expected frame lists are
 * worked out by hand from VHS's rules.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPiaPack, type PiaPack } from '../../src/pack.js';
import type { ImageValue } from '../../src/nodes/socket-values.js';
import type { VideoInfoValue } from '../../src/nodes/vhs/values.js';
import { FrameSelector, vhsTargetSize } from '../../src/video/load-video.js';
import { runNode, writeTestVideo } from './helpers.js';

let root: string;
let pack: PiaPack;
const input = () => join(root, 'input');

/** Writes `frames` flat-colour frames (red 10·i + 5) of `width × height` at `fps` as a lossless video. */
function writeVideo(name: string, frames: number, width: number, height: number, fps: number): Promise<void> {
  return writeTestVideo(join(input(), name), frames, { width, height, fps }, (i) => ({ r: 10 * i + 5, g: 100, b: 200 - 5 * i }));
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'piagraph-vhs-'));
  await mkdir(input(), { recursive: true });
  pack = createPiaPack({ modelsDir: join(root, 'models'), inputDir: input(), outputDir: join(root, 'output'), tempDir: join(root, 'temp'), demo: false });
  await writeVideo('clip.mkv', 20, 64, 48, 10);
  await writeVideo('odd.mkv', 3, 60, 44, 10);
  await writeFile(join(input(), 'notes.mp4'), 'this is not a video\n');
}, 60_000);
afterAll(async () => {
  await pack?.release();
  await rm(root, { recursive: true, force: true });
});

const DEFAULTS = { force_rate: 0, custom_width: 0, custom_height: 0, frame_load_cap: 0, skip_first_frames: 0, select_every_nth: 1, format: 'AnimateDiff' };

async function load(inputs: Record<string, unknown>) {
  const [image, count, audio, info] = await runNode(pack, 'VHS_LoadVideo', { video: 'clip.mkv', ...DEFAULTS, ...inputs });
  return { image: image as ImageValue, count: count as number, audio, info: info as VideoInfoValue };
}

/** Which source frame each loaded frame is, read from its red channel (10·i + 5). */
function sourceFrames(image: ImageValue): number[] {
  const [n, , h, w] = image.dims;
  return Array.from({ length: n }, (_, f) => Math.round((image.data[f * 3 * h * w]! * 255 - 5) / 10));
}

describe('VHS_LoadVideo', { timeout: 60_000 }, () => {
  it('loads every frame at the video size, in [0, 1], with its count and info', async () => {
    const { image, count, info } = await load({});
    expect(image.dims).toEqual([20, 3, 48, 64]);
    expect(count).toBe(20);
    expect(sourceFrames(image)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    // Frame 3 is (35, 100, 185) everywhere.
    const plane = 48 * 64;
    expect([image.data[3 * 3 * plane + 7], image.data[(3 * 3 + 1) * plane + 7], image.data[(3 * 3 + 2) * plane + 7]]).toEqual([35 / 255, 100 / 255, 185 / 255].map(Math.fround));
    expect(info).toEqual({
      source_fps: 10,
      source_frame_count: 20,
      source_duration: 2,
      source_width: 64,
      source_height: 48,
      loaded_fps: 10,
      loaded_frame_count: 20,
      loaded_duration: 2,
      loaded_width: 64,
      loaded_height: 48,
    });
  });

  it('skips, then keeps every n-th, up to the cap: skip 3, every 2nd, cap 5 → frames 3, 5, 7, 9, 11', async () => {
    const { image, info } = await load({ skip_first_frames: 3, select_every_nth: 2, frame_load_cap: 5 });
    expect(sourceFrames(image)).toEqual([3, 5, 7, 9, 11]);
    expect(info.loaded_fps).toBeCloseTo(5, 10);
  });

  it('resamples in time with force_rate: 5 fps keeps every 2nd frame, 20 fps shows each frame twice after the first', async () => {
    expect(sourceFrames((await load({ force_rate: 5 })).image)).toEqual([0, 2, 4, 6, 8, 10, 12, 14, 16, 18]);
    // VHS emits the first frame on its own time slot, then each decoded frame fills two 0.05 s slots.
    expect(sourceFrames((await load({ force_rate: 20, frame_load_cap: 6 })).image)).toEqual([0, 1, 1, 2, 2, 3]);
  });

  it("resizes to the custom size (one side 0 keeps the aspect ratio) rounded to the format's multiple", async () => {
    expect((await load({ custom_width: 32 })).image.dims).toEqual([20, 3, 24, 32]);
    const odd = async (format: string) => (await runNode(pack, 'VHS_LoadVideo', { ...DEFAULTS, video: 'odd.mkv', format }))[0] as ImageValue;
    expect((await odd('None')).dims).toEqual([3, 3, 44, 60]);
    expect((await odd('AnimateDiff')).dims).toEqual([3, 3, 48, 64]);
    // Wan keeps 4k + 1 frames: 3 frames become 1.
    expect((await odd('Wan')).dims).toEqual([1, 3, 48, 64]);
  });

  it('refuses a file that is not a video, naming the input', async () => {
    await expect(load({ video: 'notes.mp4' })).rejects.toThrow(/video: ".*notes\.mp4" is not a video ffmpeg can read/);
  });
});

describe('VHS_LoadVideoPath', { timeout: 60_000 }, () => {
  it('loads by a path inside input/, relative or absolute (quotes stripped)', async () => {
    const [relative] = await runNode(pack, 'VHS_LoadVideoPath', { ...DEFAULTS, video: 'clip.mkv', frame_load_cap: 2 });
    const [absolute] = await runNode(pack, 'VHS_LoadVideoPath', { ...DEFAULTS, video: `"${join(input(), 'clip.mkv')}"`, frame_load_cap: 2 });
    expect((relative as ImageValue).dims).toEqual([2, 3, 48, 64]);
    expect((absolute as ImageValue).data).toEqual((relative as ImageValue).data);
  });

  it('refuses paths outside the data folders and URLs', async () => {
    await expect(runNode(pack, 'VHS_LoadVideoPath', { ...DEFAULTS, video: '/etc/passwd' })).rejects.toThrow('outside the input, output and temp folders');
    await expect(runNode(pack, 'VHS_LoadVideoPath', { ...DEFAULTS, video: '../clip.mkv' })).rejects.toThrow('outside');
    await expect(runNode(pack, 'VHS_LoadVideoPath', { ...DEFAULTS, video: 'https://example.com/a.mp4' })).rejects.toThrow('is a URL');
  });
});

describe("VHS's rules by hand", () => {
  it('target sizes round each side to the nearest multiple', () => {
    expect(vhsTargetSize(60, 44, 0, 0, 8)).toEqual({ width: 64, height: 48 });
    expect(vhsTargetSize(64, 48, 0, 100, 8)).toEqual({ width: 136, height: 104 });
    expect(vhsTargetSize(64, 48, 50, 30, 1)).toEqual({ width: 50, height: 30 });
  });

  it('frame selection at 30 fps forced to 12 keeps frames 0, 3, 5, 8, 10 (a slot every 2.5 frames, filled by the frame decoded when it is due)', () => {
    const selector = new FrameSelector(30, { forceRate: 12, skipFirstFrames: 0, selectEveryNth: 1, frameLoadCap: 0 });
    const kept: number[] = [];
    for (let i = 0; i < 12; i++) if (selector.next() > 0) kept.push(i);
    expect(kept).toEqual([0, 3, 5, 8, 10]);
  });
});
