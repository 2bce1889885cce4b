import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_CHECKPOINT, DEMO_LORA, DEMO_PIA, DEMO_VAE, ensureDemoModelsFor } from '../../src/pipeline/demo-assets.js';
import { demoModelsCurrent, demoPaths } from '../../src/pipeline/demo-weights.js';
import { writeSafetensors } from '../../src/weights/index.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'piagraph-demo-refresh-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('the demo models on disk', () => {
  it('are rewritten when a data folder holds files from an older, unstamped demo generator', async () => {
    const models = join(root, 'first');
    await ensureDemoModelsFor(models, 'checkpoints', DEMO_CHECKPOINT);
    const paths = demoPaths(models, { checkpoint: DEMO_CHECKPOINT, pia: DEMO_PIA, vae: DEMO_VAE, lora: DEMO_LORA });
    expect(await demoModelsCurrent(paths)).toBe(true);

    // Stand-in for a checkpoint an older piagraph wrote: a valid safetensors file without the version stamp.
    await writeSafetensors(paths.checkpoint, { 'stale.weight': { dtype: 'F32', shape: [1], data: new Float32Array([1]) } });
    expect(await demoModelsCurrent(paths)).toBe(false);
    const staleSize = (await stat(paths.checkpoint)).size;

    // The pack checks once per folder and process; the same folder spelt with a trailing slash stands for a new process.
    await ensureDemoModelsFor(`${models}/`, 'pia', DEMO_PIA);
    expect(await demoModelsCurrent(paths)).toBe(true);
    expect((await stat(paths.checkpoint)).size).toBeGreaterThan(staleSize);
  });
});
