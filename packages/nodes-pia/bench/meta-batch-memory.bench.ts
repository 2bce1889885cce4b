/**
 * Memory of meta-batching (VHS_BatchManager): a 512×512 video (ffmpeg's testsrc2, lossless) of 48 and of 384 frames
 * through Load Video → Video Combine (MP4), once whole and once 16 frames per batch. Each run is a fresh process, so
 * its peak RSS (`maxRSS`) is its own. Whole, memory grows with the video (each frame is 3 MiB as an IMAGE); in
 * batches it should stay near the 48-frame figure however long the video.
 * Run: `npx tsx bench/meta-batch-memory.bench.ts` (from packages/nodes-pia).
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Executor, NodeRegistry, type ApiPrompt } from '@piagraph/graph-core';
import { createPiaPack } from '../src/pack.js';

const SIDE = 512;
const LOAD = { force_rate: 0, custom_width: 0, custom_height: 0, frame_load_cap: 0, skip_first_frames: 0, select_every_nth: 1, format: 'None' };

/** One run in this process; prints its figures as JSON on the last line. */
async function child(dir: string, frames: number, batched: boolean): Promise<void> {
  const pack = createPiaPack({ modelsDir: join(dir, 'models'), inputDir: join(dir, 'input'), outputDir: join(dir, 'output'), tempDir: join(dir, 'temp'), demo: false });
  const meta = batched ? { meta_batch: ['1', 0] } : {};
  const prompt: ApiPrompt = {
    '1': { class_type: 'VHS_BatchManager', inputs: { frames_per_batch: 16 } },
    '2': { class_type: 'VHS_LoadVideo', inputs: { video: `src-${frames}.mkv`, ...LOAD, ...meta } },
    '3': {
      class_type: 'VHS_VideoCombine',
      inputs: { images: ['2', 0], frame_rate: 8, loop_count: 0, filename_prefix: `out-${frames}`, format: 'video/h264-mp4', pingpong: false, save_output: true, crf: 23, ...meta },
    },
  };
  if (!batched) delete prompt['1'];
  const started = performance.now();
  const result = await new Executor(new NodeRegistry().register(...pack.nodes)).run(prompt, { promptId: 'bench' });
  if (result.status !== 'success') throw new Error(JSON.stringify(result.error));
  const seconds = (performance.now() - started) / 1000;
  await pack.release();
  console.log(JSON.stringify({ frames, batched, passes: result.passes ?? 1, maxRssMiB: process.resourceUsage().maxRSS / 1024, seconds }));
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'piagraph-meta-bench-'));
  try {
    await mkdir(join(dir, 'input'), { recursive: true });
    for (const frames of [48, 384]) {
      const args = ['-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=size=${SIDE}x${SIDE}:rate=8`, '-frames:v', String(frames), '-c:v', 'ffv1', join(dir, 'input', `src-${frames}.mkv`)];
      execFileSync('ffmpeg', args);
    }
    const self = fileURLToPath(import.meta.url);
    const runChild = (frames: number, batched: boolean) => {
      const out = execFileSync(process.execPath, ['--import', 'tsx', self, '--child', dir, String(frames), String(batched)], { encoding: 'utf8', maxBuffer: 1 << 24 });
      return JSON.parse(out.trim().split('\n').pop()!) as { frames: number; batched: boolean; passes: number; maxRssMiB: number; seconds: number };
    };
    console.log(`meta-batching memory (${SIDE}×${SIDE} video → Load Video → Video Combine MP4; batches of 16 frames)`);
    for (const batched of [false, true]) {
      const short = runChild(48, batched);
      const long = runChild(384, batched);
      const label = batched ? 'batches of 16' : 'whole        ';
      console.log(
        `  ${label}  48 frames: ${short.maxRssMiB.toFixed(0)} MiB peak, ${short.seconds.toFixed(1)} s (${short.passes} passes)   ` +
          `384 frames: ${long.maxRssMiB.toFixed(0)} MiB peak, ${long.seconds.toFixed(1)} s (${long.passes} passes)   ` +
          `peak ratio 384/48: ${(long.maxRssMiB / short.maxRssMiB).toFixed(2)}`,
      );
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') await child(process.argv[3]!, Number(process.argv[4]), process.argv[5] === 'true');
else await main();
