#!/usr/bin/env node
/**
 * The project side of the AnimateDiff parity: the tiny image checkpoint of the PIA harness (`gen` there writes it)
 * with plain AnimateDiff v1/v2/v3 motion modules injected, built by the project's motion U-Net path
 * (`motionUNetGraph`: the checkpoint file + a motion-model file in AnimateDiff's original key layout, as Load
 * AnimateDiff Model / Apply AnimateDiff Model run them) and run on shared inputs.
 *
 *   PROJECT_DIR=... node animatediff.mjs <gen | unet> <workDir>
 *
 * gen: writes <workDir>/animatediff/models/tiny-mm-<v>.ckpt (every module random: the demo writer without its pinned
 * identity module) and the inputs. unet: runs every (version, GroupNorm mode, case) and writes the outputs.
 * Tensors as in project.mjs: <name>.bin (float32 little-endian) + <name>.json ({shape, dtype}).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const PROJECT_DIR = process.env.PROJECT_DIR;
if (!PROJECT_DIR) throw new Error('set PROJECT_DIR to the project checkout (built with pnpm run build)');
const dist = (p) => import(pathToFileURL(resolve(PROJECT_DIR, 'packages/nodes-pia/dist', p)).href);
const P = await dist('index.js');
const { motionUNetGraph } = await dist('motion/index.js');
const { motionModelTensors } = await dist('pipeline/demo-motion.js');
const THREADS = Number(process.env.PARITY_THREADS ?? 2);

const [command, workArg] = process.argv.slice(2);
if (!command || !workArg) throw new Error('usage: node animatediff.mjs <gen | unet> <workDir>');
const WORK = resolve(workArg);
const AD = join(WORK, 'animatediff');
const IN = join(AD, 'inputs');
const OUT = join(AD, 'project');
const MODELS = join(AD, 'models');
for (const d of [IN, OUT, MODELS]) await mkdir(d, { recursive: true });

async function writeTensor(dir, name, data, shape) {
  const arr = data instanceof Float32Array ? data : Float32Array.from(data);
  await writeFile(join(dir, `${name}.bin`), Buffer.from(arr.buffer, arr.byteOffset, arr.byteLength));
  await writeFile(join(dir, `${name}.json`), JSON.stringify({ shape, dtype: 'float32' }));
}
async function readTensor(dir, name) {
  const meta = JSON.parse(await readFile(join(dir, `${name}.json`), 'utf8'));
  const buf = await readFile(join(dir, `${name}.bin`));
  return { data: new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength)), dims: meta.shape };
}
const writeJson = (dir, name, obj) => writeFile(join(dir, `${name}.json`), `${JSON.stringify(obj, null, 1)}\n`);
const numel = (s) => s.reduce((a, b) => a * b, 1);

/** The releases' file layouts (mm_sd_v14 / mm_sd_v15_v2 / v3_sd15_mm): position-encoding length, mid-block module. */
const VERSIONS = {
  v1: { midBlock: false, maxFrames: 24 },
  v2: { midBlock: true, maxFrames: 32 },
  v3: { midBlock: false, maxFrames: 32 },
};
/**
 * Input cases. AnimateDiff's own code builds 24 position rows for every release (its inference configs leave
 * `temporal_position_encoding_max_len` at 24 and load_weights skips the files' `pe`), so only PIA's code base, built
 * with the file's 32 rows, runs the 32-frame case; a case longer than a file's rows is skipped for that file.
 */
const CASES = [
  { name: 'ad_f16', batch: 2, frames: 16, h: 8, w: 8, t: 961 },
  { name: 'ad_odd_f8', batch: 2, frames: 8, h: 7, w: 9, t: 501 },
  { name: 'ad_f24', batch: 1, frames: 24, h: 4, w: 4, t: 21 },
  { name: 'ad_f32', batch: 1, frames: 32, h: 4, w: 4, t: 961 },
];
/** per-frame: ADE's v2 (apply_v2_properly) and v3; resnets-across-frames: the original v1 code; all-across-frames: ADE's hack. */
const NORMS = ['per-frame', 'resnets-across-frames', 'all-across-frames'];

const commands = {
  async gen() {
    const paths = P.demoModelPaths(join(WORK, 'models'));
    const files = {};
    for (const [v, layout] of Object.entries(VERSIONS)) {
      const file = join(MODELS, `tiny-mm-${v}.ckpt`);
      await P.writeTorchCheckpoint(file, motionModelTensors(P.tiny, layout, 20240900 + Number(v.slice(1)), false));
      files[v] = { file, ...layout };
    }
    await writeJson(IN, 'paths', { checkpoint: paths.checkpoint, motion: files, config: P.tiny });
    for (const [i, c] of CASES.entries()) {
      const shape = [c.batch, P.tiny.unet.latentChannels, c.frames, c.h, c.w];
      await writeTensor(IN, `${c.name}_sample`, P.randn(numel(shape), 500 + 10 * i), shape);
      const text = [c.batch, 77, P.tiny.unet.crossAttentionDim];
      await writeTensor(IN, `${c.name}_text`, P.randn(numel(text), 501 + 10 * i), text);
    }
    await writeJson(IN, 'cases', { cases: CASES, versions: VERSIONS, norms: NORMS });
  },

  async unet() {
    const paths = JSON.parse(await readFile(join(IN, 'paths.json'), 'utf8'));
    const settings = { cacheDir: join(AD, 'onnx-cache'), device: 'cpu', precision: 'float32', fusedAttention: true, threads: THREADS };
    const info = {};
    for (const [v, m] of Object.entries(paths.motion)) {
      for (const norms of NORMS) {
        const built = await motionUNetGraph({ checkpoint: paths.checkpoint, motion: m.file, norms }, settings, P.tiny);
        info[`${v}|${norms}`] = built.variant;
        const session = await P.OnnxSession.load(built.graph.modelPath, { threads: THREADS });
        for (const c of CASES) {
          if (c.frames > m.maxFrames) continue;
          const sample = await readTensor(IN, `${c.name}_sample`);
          const text = await readTensor(IN, `${c.name}_text`);
          // The motion U-Net takes one text per frame, `[B·F, L, D]` batch-major, as the original repeats it.
          const [B, L, D] = text.dims;
          const perFrame = new Float32Array(B * c.frames * L * D);
          for (let b = 0; b < B; b++) for (let f = 0; f < c.frames; f++) perFrame.set(text.data.subarray(b * L * D, (b + 1) * L * D), (b * c.frames + f) * L * D);
          const r = await session.run({
            sample: { dtype: 'float32', shape: sample.dims, data: sample.data },
            timestep: { dtype: 'float32', shape: [1], data: Float32Array.of(c.t) },
            encoder_hidden_states: { dtype: 'float32', shape: [B * c.frames, L, D], data: perFrame },
          });
          const out = r[P.UNET_IO.out];
          await writeTensor(OUT, `${c.name}__${v}__${norms}`, out.data, [...out.dims]);
        }
        await session.release();
      }
    }
    await writeJson(OUT, 'variants', info);
  },
};

const fn = commands[command];
if (!fn) throw new Error(`unknown command ${command}; one of ${Object.keys(commands).join(', ')}`);
const t0 = performance.now();
await fn();
console.log(`[project/animatediff] ${command} done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
