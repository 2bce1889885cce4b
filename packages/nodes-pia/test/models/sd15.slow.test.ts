/**
 * The full-size `sd15` PIA U-Net from generated random files in the real key layout. Opt-in (about 6 GB of files
 * and several minutes): `PIAGRAPH_SLOW=1 npx vitest run --project nodes-pia sd15.slow`. Files and built graphs
 * are kept under `PIAGRAPH_SLOW_DIR` (default: the temp folder) so a second run only loads and runs.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openMotionCheckpoint, openSdCheckpoint, piaUNetWeights } from '../../src/checkpoints/resolve.js';
import { ensureFullSizeRandomModels } from '../../src/demo/full-size.js';
import { sd15 } from '../../src/models/config.js';
import { loadPiaModels } from '../../src/models/load.js';
import type { ModelWeights } from '../../src/models/tensors.js';

const slow = process.env.PIAGRAPH_SLOW === '1';
const dir = process.env.PIAGRAPH_SLOW_DIR ?? join(tmpdir(), 'piagraph-sd15');
const count = (w: ModelWeights, filter: (k: string) => boolean = () => true) =>
  [...w].filter(([k]) => filter(k)).reduce((n, [, t]) => n + t.shape.reduce((a, b) => a * b, 1), 0);

describe.skipIf(!slow)('full-size sd15 PIA U-Net (PIAGRAPH_SLOW=1)', () => {
  it('binds generated full-size files with the parameter counts of pia-model.md §3.7', async () => {
    const paths = await ensureFullSizeRandomModels(dir);
    const sd = await openSdCheckpoint(paths.checkpoint);
    const pia = await openMotionCheckpoint(paths.pia, sd15);
    try {
      const unet = piaUNetWeights(sd, pia);
      const counts = {
        unet: count(unet),
        motion: count(unet, (k) => k.includes('.motion_modules.')),
        convIn: count(unet, (k) => k.startsWith('conv_in.')),
        vae: count(sd.vae),
        clip: count(sd.clip),
      };
      console.log('sd15 parameter counts', counts);
      expect(counts).toEqual({ unet: 1_276_672_964, motion: 417_137_600, convIn: 26_240, vae: 83_653_863, clip: 123_060_480 });
    } finally {
      await sd.close();
      await pia.close();
    }
  }, 1_800_000);

  it('builds the full-size U-Net and runs one step on 2 frames at 8×8 on the CPU', async () => {
    const paths = await ensureFullSizeRandomModels(dir);
    const models = await loadPiaModels({ checkpoint: paths.checkpoint, pia: paths.pia, cacheDir: join(dir, '.cache'), parts: ['unet'], threads: 2 });
    try {
      console.log('sd15 load report', models.report.graphs);
      const dims = [2, 9, 2, 8, 8];
      const sample = Float32Array.from({ length: 2 * 9 * 2 * 64 }, (_, i) => Math.sin(i));
      const text = Float32Array.from({ length: 2 * 77 * 768 }, (_, i) => Math.cos(i) * 0.5);
      const started = performance.now();
      const out = await models.unet!.run({ data: sample, dims }, 961, { data: text, dims: [2, 77, 768] });
      console.log(`sd15 U-Net step [2, 9, 2, 8, 8]: ${((performance.now() - started) / 1000).toFixed(2)} s`);
      expect(out.dims).toEqual([2, 4, 2, 8, 8]);
      expect(out.data.every(Number.isFinite)).toBe(true);
    } finally {
      await models.release();
    }
  }, 1_800_000);
});
