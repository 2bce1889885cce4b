/**
 * LoRA benchmark: building the U-Net graph from the checkpoint against applying a LoRA to the cached graph and
 * changing its strength (`openLoraSession`: merge of the targeted layers + patch file + session), on the tiny demo
 * model and (with `PIAGRAPH_SLOW=1` or `--full`) the full-size SD 1.5 PIA U-Net from generated random files with a
 * rank-32 kohya LoRA on all 192 transformer layers (the common kind) and a LoCon one that also patches the resnets.
 * Run: `npx -y pnpm@12.21.0 --filter @piagraph/nodes-pia bench` (or `npx tsx bench/lora.bench.ts [--full]`).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openMotionCheckpoint, openSdCheckpoint, piaUNetWeights } from '../src/checkpoints/resolve.js';
import { ensureDemoModels } from '../src/demo/demo-models.js';
import { writeDemoLora, type DemoLoraSettings } from '../src/demo/demo-lora.js';
import { ensureFullSizeRandomModels } from '../src/demo/full-size.js';
import { buildCached } from '../src/models/cache.js';
import { sd15, tiny, type PiaModelConfig } from '../src/models/config.js';
import { UNetHandle } from '../src/models/handles.js';
import { buildUNet } from '../src/models/unet.js';
import { OnnxSession } from '../src/onnx/index.js';
import { openLiveLoraSession, openLora, openLoraSession, type LoraFile } from '../src/lora/index.js';

const s = (seconds: number) => `${seconds.toFixed(2)} s`;
const since = (t: number) => (performance.now() - t) / 1000;
const threads = 2;

interface Sizes {
  readonly label: string;
  readonly config: PiaModelConfig;
  readonly checkpoint: string;
  readonly pia: string;
  /** A latent small enough for one step to stay short. */
  readonly dims: readonly number[];
}

async function step(session: OnnxSession, config: PiaModelConfig, dims: readonly number[]): Promise<number> {
  const n = dims.reduce((a, b) => a * b, 1);
  const d = config.unet.crossAttentionDim;
  const started = performance.now();
  await new UNetHandle(session, config).run(
    { data: Float32Array.from({ length: n }, (_, i) => Math.sin(i)), dims },
    700,
    { data: Float32Array.from({ length: dims[0]! * 77 * d }, (_, i) => Math.cos(i) * 0.5), dims: [dims[0]!, 77, d] },
  );
  return since(started);
}

async function benchSize(size: Sizes, work: string, loras: readonly { name: string; settings: DemoLoraSettings }[]): Promise<void> {
  const { label, config } = size;
  // Build from scratch, as the first load of a checkpoint does: bind the files, build, write the cached graph.
  const buildStart = performance.now();
  const sd = await openSdCheckpoint(size.checkpoint, config);
  const pia = await openMotionCheckpoint(size.pia, config);
  let modelPath: string;
  try {
    const weights = piaUNetWeights(sd, pia);
    modelPath = (await buildCached(join(work, 'cache'), `unet-${label}`, 'float32', (g) => buildUNet(g, weights, config.unet))).modelPath;
  } finally {
    await sd.close();
    await pia.close();
  }
  const build = since(buildStart);
  const sessionStart = performance.now();
  const base = await OnnxSession.load(modelPath, { threads });
  const baseSession = since(sessionStart);
  const baseStep = await step(base, config, size.dims);
  await base.release();
  console.log(`${label} U-Net graph: build + write ${s(build)}, session ${s(baseSession)} (total ${s(build + baseSession)}); one step [${size.dims.join(', ')}] ${s(baseStep)}`);

  for (const [i, { name, settings }] of loras.entries()) {
    const path = join(work, `${label}-lora-${i}.safetensors`);
    await writeDemoLora(path, config, settings);
    const openStart = performance.now();
    const lora: LoraFile = await openLora(path, { config });
    const unetLayers = lora.layers.filter((l) => l.component === 'unet').length;
    console.log(`${label} ${name}: ${unetLayers} U-Net layers, ${(lora.bytes / 2 ** 20).toFixed(1)} MiB of factors; openLora ${s(since(openStart))}`);
    const rebuild = build + baseSession;
    const versus = (total: number) => `rebuilding the graph takes ${s(rebuild)}, ${(rebuild / total).toFixed(1)}× this`;
    for (const [what, strength] of [['apply', 0.8], ['change strength', 0.5]] as const) {
      const started = performance.now();
      const patched = await openLoraSession(modelPath, [{ lora, strength }], { threads });
      const total = since(started);
      const stepTime = await step(patched.session, config, size.dims);
      await patched.release();
      const t = patched.timings;
      console.log(`${label} ${name} openLoraSession ${what} (strength ${strength}): ${s(total)} = merge + write ${s(t.patchSeconds)} + session ${s(t.sessionSeconds)}; ${versus(total)}; step ${s(stepTime)}`);
    }
    const liveStart = performance.now();
    const live = await openLiveLoraSession(modelPath, [{ lora, strength: 0.8 }], { threads });
    try {
      const open = since(liveStart);
      const openStep = await step(live.session, config, size.dims);
      console.log(`${label} ${name} openLiveLoraSession apply (strength 0.8): ${s(open)} (merge ${s(live.timings.mergeSeconds)}, session ${s(live.timings.sessionSeconds)}); step ${s(openStep)}`);
      for (const strength of [0.5, 1]) {
        const { mergeSeconds } = await live.setLoras([{ lora, strength }]);
        const changeStep = await step(live.session, config, size.dims);
        console.log(`${label} ${name} setLoras change strength (${strength}): ${s(mergeSeconds)}, no new session; ${versus(mergeSeconds)}; step ${s(changeStep)}`);
      }
    } finally {
      await live.release();
    }
  }
}

/** Runs the benchmark and prints its figures. */
export async function benchLora(full = process.env.PIAGRAPH_SLOW === '1' || process.argv.includes('--full')): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'piagraph-bench-lora-'));
  try {
    const demo = await ensureDemoModels(join(work, 'models'));
    await benchSize({ label: 'tiny', config: tiny, checkpoint: demo.checkpoint, pia: demo.pia, dims: [2, 9, 16, 8, 8] }, work, [
      { name: 'demo LoRA (rank 4, LoCon 2)', settings: { rank: 4, alpha: 2, convRank: 2, upScale: 0.5, seed: 1 } },
    ]);
    if (!full) {
      console.log('full-size sd15 LoRA: skipped (set PIAGRAPH_SLOW=1 or pass --full; needs ~12 GB of disk and ~12 GB of memory)');
      return;
    }
    const slowDir = process.env.PIAGRAPH_SLOW_DIR ?? join(tmpdir(), 'piagraph-sd15');
    const genStart = performance.now();
    const big = await ensureFullSizeRandomModels(slowDir);
    console.log(`sd15 random files ready in ${s(since(genStart))}`);
    await benchSize({ label: 'sd15', config: sd15, checkpoint: big.checkpoint, pia: big.pia, dims: [2, 9, 2, 16, 16] }, work, [
      { name: 'kohya LoRA rank 32 (transformers + text encoder)', settings: { rank: 32, alpha: 16, convRank: 0, upScale: 0.1, seed: 2 } },
      { name: 'LoCon rank 32 / conv 16', settings: { rank: 32, alpha: 16, convRank: 16, upScale: 0.1, seed: 3 } },
    ]);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

await benchLora();
