/**
 * `piagraph run` on a meta-batched graph (VHS_BatchManager): the CLI runs the executor in-process, which repeats
 * the graph once per batch; one video of every frame comes out.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { centreColours, writeTestVideo } from '../../../nodes-pia/test/vhs/helpers.js';
import { runCli } from '../../src/cli.js';

let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'piagraph-cli-meta-'));
  mkdirSync(join(dir, 'data', 'input'), { recursive: true });
  // Frame i: red 6·i + 5, so a decoded frame tells which source frame it is.
  await writeTestVideo(join(dir, 'data', 'input', 'long.mkv'), 40, { width: 64, height: 48, fps: 8 }, (i) => ({ r: 6 * i + 5, g: 100, b: 240 - 5 * i }));
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const LOAD = { force_rate: 0, custom_width: 0, custom_height: 0, frame_load_cap: 0, skip_first_frames: 0, select_every_nth: 1, format: 'None' };

describe('piagraph run with VHS_BatchManager', () => {
  it('runs the graph once per batch of 16 and writes one video of the 40 frames, in order', async () => {
    const prompt = {
      '1': { class_type: 'VHS_BatchManager', inputs: { frames_per_batch: 16 } },
      '2': { class_type: 'VHS_LoadVideo', inputs: { video: 'long.mkv', ...LOAD, meta_batch: ['1', 0] } },
      '4': {
        class_type: 'VHS_VideoCombine',
        inputs: { images: ['2', 0], frame_rate: 8, loop_count: 0, filename_prefix: 'long', format: 'video/h264-mp4', pingpong: false, save_output: true, crf: 0, meta_batch: ['1', 0] },
      },
    };
    writeFileSync(join(dir, 'meta.json'), JSON.stringify(prompt));
    let stdout = '';
    let stderr = '';
    const code = await runCli(['run', 'meta.json', '--data-dir', 'data'], {
      cwd: dir,
      io: { stdout: { write: (s: string) => (stdout += s), isTTY: false, columns: 120 }, stderr: { write: (s: string) => (stderr += s) } },
    });
    expect(code, stderr).toBe(0);
    const output = join(dir, 'data', 'output');
    expect(readdirSync(output)).toEqual(['long_00001_.mp4']);
    expect(stdout).toContain(`output   node 4 gifs: ${join(output, 'long_00001_.mp4')}\n`);
    expect(stdout).toMatch(/finished 3 node\(s\) run over 3 passes, /);
    // The loader's progress, one line per batch.
    expect(stdout.match(/^progress 2 VHS_LoadVideo .*$/gm)).toEqual(['progress 2 VHS_LoadVideo 16/40', 'progress 2 VHS_LoadVideo 32/40', 'progress 2 VHS_LoadVideo 40/40']);
    const frames = centreColours(join(output, 'long_00001_.mp4'), 64, 48).map(([r]) => Math.round((r - 5) / 6) || 0);
    expect(frames).toEqual(Array.from({ length: 40 }, (_, i) => i));
  }, 120_000);
});
