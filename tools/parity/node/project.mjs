#!/usr/bin/env node
/**
 * The project side of the parity harness: generates the tiny (and optionally full-size) checkpoints with the
 * project's own generator, writes the shared inputs, and runs the project's code on them. Every tensor is
 * written as <name>.bin (raw little-endian float32, or int64 where noted) + <name>.json ({shape, dtype}).
 *
 *   PROJECT_DIR=... node project.mjs <command> <workDir> [options]
 *
 * Commands: gen | ddim | affinity | unet | unet-taps | vae | clip | tokenize | sample | perf | gen-full | unet-full
 * Nothing here writes outside <workDir>.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const PROJECT_DIR = process.env.PROJECT_DIR;
if (!PROJECT_DIR) throw new Error('set PROJECT_DIR to the project checkout (built with pnpm run build)');
const P = await import(pathToFileURL(resolve(PROJECT_DIR, 'packages/nodes-pia/dist/index.js')).href);
const THREADS = Number(process.env.PARITY_THREADS ?? 2);

const [command, workArg, ...rest] = process.argv.slice(2);
if (!command || !workArg) throw new Error('usage: node project.mjs <command> <workDir>');
const WORK = resolve(workArg);
const IN = join(WORK, 'inputs');
const OUT = join(WORK, 'project');
const MODELS = join(WORK, 'models');
await mkdir(IN, { recursive: true });
await mkdir(OUT, { recursive: true });

// ---------- tensor files ----------
async function writeTensor(dir, name, data, shape, dtype = 'float32') {
  const arr = dtype === 'int64' ? BigInt64Array.from(Array.from(data, (v) => BigInt(v))) : data instanceof Float32Array ? data : Float32Array.from(data);
  await writeFile(join(dir, `${name}.bin`), Buffer.from(arr.buffer, arr.byteOffset, arr.byteLength));
  await writeFile(join(dir, `${name}.json`), JSON.stringify({ shape, dtype }));
}
async function readTensor(dir, name) {
  const meta = JSON.parse(await readFile(join(dir, `${name}.json`), 'utf8'));
  const buf = await readFile(join(dir, `${name}.bin`));
  const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
  const data = meta.dtype === 'int64' ? new BigInt64Array(ab) : new Float32Array(ab);
  return { data, dims: meta.shape, dtype: meta.dtype };
}
const writeJson = (dir, name, obj) => writeFile(join(dir, `${name}.json`), `${JSON.stringify(obj, null, 1)}\n`);

// Seeded inputs: the project's own Philox normal stream, so the inputs are reproducible from the seed alone.
const normal = (n, seed) => P.randn(n, seed);
const uniform = (n, seed, lo, hi) => {
  const z = P.randn(n, seed);
  return Float32Array.from(z, (v) => lo + ((hi - lo) * (Math.tanh(v) + 1)) / 2);
};
const numel = (s) => s.reduce((a, b) => a * b, 1);

function tinyPaths() {
  return P.demoModelPaths(MODELS);
}

async function loadTiny(parts) {
  const paths = tinyPaths();
  return P.loadPiaModels({ checkpoint: paths.checkpoint, pia: paths.pia, cacheDir: join(WORK, 'onnx-cache'), threads: THREADS, parts });
}

/** The 9-channel input PIA assembles: latent | mask[f] | condition latent on every frame, CFG halves equal but for text. */
function piaUNetInput(frames, h, w, seed, mask) {
  const latent = normal(4 * frames * h * w, seed);
  const cond = normal(4 * h * w, seed + 1).map((v) => v * 0.8);
  return P.assembleUNetInput(latent, mask, cond, { channels: 4, frames, height: h, width: w }, 2);
}

// ---------- commands ----------
const commands = {
  /** Tiny demo checkpoints (LDM .safetensors + PIA .ckpt) and every shared input. */
  async gen() {
    const paths = await P.ensureDemoModels(MODELS);
    await writeJson(IN, 'paths', { ...paths, config: P.tiny });
    // DDIM step inputs.
    const s = [1, 4, 8, 8, 8];
    await writeTensor(IN, 'ddim_sample', normal(numel(s), 101), s);
    await writeTensor(IN, 'ddim_eps', normal(numel(s), 102), s);
    // U-Net cases: realistic PIA assembly and fully random, several sizes/timesteps.
    const cases = [
      { name: 'unet_f8', frames: 8, h: 8, w: 8, t: 961, kind: 'pia', preset: 'moderate-motion' },
      { name: 'unet_f16', frames: 16, h: 8, w: 8, t: 501, kind: 'pia', preset: 'loop-large' },
      { name: 'unet_rand_f8', frames: 8, h: 8, w: 8, t: 1, kind: 'random' },
      { name: 'unet_odd_f4', frames: 4, h: 7, w: 9, t: 961, kind: 'random' },
    ];
    for (const [i, c] of cases.entries()) {
      const shape = [2, 9, c.frames, c.h, c.w];
      const data = c.kind === 'pia'
        ? piaUNetInput(c.frames, c.h, c.w, 200 + 10 * i, P.prepareMaskCoefByStatistics(c.frames, 0, c.preset))
        : normal(numel(shape), 200 + 10 * i);
      await writeTensor(IN, `${c.name}_sample`, data, shape);
      await writeTensor(IN, `${c.name}_text`, normal(2 * 77 * P.tiny.unet.crossAttentionDim, 201 + 10 * i), [2, 77, P.tiny.unet.crossAttentionDim]);
    }
    await writeJson(IN, 'unet_cases', cases);
    // VAE inputs: images in [-1, 1] and latents (scaled, as the sampler produces them).
    await writeTensor(IN, 'vae_image', uniform(2 * 3 * 64 * 48, 301, -1, 1), [2, 3, 64, 48]);
    await writeTensor(IN, 'vae_latent', normal(3 * 4 * 8 * 8, 302), [3, 4, 8, 8]);
  },

  /** DDIM: timesteps and alphas for 25/50 steps, step() on the shared tensors. */
  async ddim() {
    const out = {};
    for (const n of [25, 50]) {
      const s = new P.DdimScheduler();
      out[`timesteps_${n}`] = s.setTimesteps(n);
    }
    const s = new P.DdimScheduler();
    out.config = s.config;
    await writeJson(OUT, 'ddim', out);
    await writeTensor(OUT, 'ddim_alphas_cumprod', s.alphasCumprod, [s.alphasCumprod.length]);
    await writeTensor(OUT, 'ddim_betas', s.betas, [s.betas.length]);
    const sample = await readTensor(IN, 'ddim_sample');
    const eps = await readTensor(IN, 'ddim_eps');
    for (const [n, t] of [[25, 961], [25, 481], [25, 1], [50, 981], [50, 21]]) {
      const sch = new P.DdimScheduler();
      sch.setTimesteps(n);
      await writeTensor(OUT, `ddim_step_${n}_${t}`, sch.step(eps.data, t, sample.data), sample.dims);
    }
  },

  /** Every affinity preset by name (motion_scale order) and by PIA index, 16 and 8 frames, cond frame 0 and 3; ramps. */
  async affinity() {
    const out = { byName: {}, byPiaIndex: {}, ramp: {}, presets: P.AFFINITY_PRESETS };
    for (const frames of [16, 8]) {
      for (const cond of [0, 3]) {
        for (const p of P.AFFINITY_PRESETS) out.byName[`${p.name}|${frames}|${cond}`] = P.prepareMaskCoefByStatistics(frames, cond, p.name);
        for (const idx of [0, 1, 2, 3, 4, 5, -1, -2, -3]) {
          const preset = P.affinityPresetForPiaIndex(idx);
          out.byPiaIndex[`${idx}|${frames}|${cond}`] = { name: preset.name, values: P.prepareMaskCoefByStatistics(frames, cond, preset.name) };
        }
        out.ramp[`${frames}|${cond}`] = P.prepareMaskCoef(frames, cond, 0.2, 1.0);
      }
    }
    await writeJson(OUT, 'affinity', out);
  },

  /** The U-Net through loadPiaModels (the project's public path) on every case. */
  async unet() {
    const m = await loadTiny(['unet']);
    const cases = JSON.parse(await readFile(join(IN, 'unet_cases.json'), 'utf8'));
    for (const c of cases) {
      const sample = await readTensor(IN, `${c.name}_sample`);
      const text = await readTensor(IN, `${c.name}_text`);
      const r = await m.unet.run(sample, c.t, text);
      await writeTensor(OUT, c.name, r.data, r.dims);
    }
    await m.release();
  },

  /**
   * The same U-Net graph with every block's output added as a graph output (for bisection): the graph is built
   * by the project's buildUNet; only `scope` is wrapped so each module's returned value is recorded.
   */
  async 'unet-taps'() {
    const paths = tinyPaths();
    const cfg = rest[0] === 'sd15' ? P.sd15 : P.tiny;
    const ckpt = rest[0] === 'sd15' ? JSON.parse(await readFile(join(IN, 'full_paths.json'), 'utf8')) : paths;
    const sd = await P.openSdCheckpoint(ckpt.checkpoint, cfg);
    const pia = await P.openMotionCheckpoint(ckpt.pia, cfg);
    const weights = P.piaUNetWeights(sd, pia);
    const g = new P.GraphBuilder('unet-taps', { floatDtype: 'float32' });
    const taps = [];
    const scope = g.scope.bind(g);
    const tapped = /^(time_embedding|conv_in|(down|up)_blocks\.\d+\.(resnets|attentions|motion_modules|downsamplers|upsamplers)\.\d+(\.conv)?|mid_block\.(resnets|attentions)\.\d+|conv_norm_out)$/;
    g.scope = (name, build) => {
      const r = scope(name, build);
      const key = name.replace(/^(down_blocks\.\d+\.downsamplers\.\d+)\.conv$/, '$1');
      if (tapped.test(name) && (!name.endsWith('.conv') || key !== name) && r && typeof r === 'object' && 'name' in r && !taps.some((t) => t.name === key)) {
        taps.push({ name: key, value: r });
      }
      return r;
    };
    P.buildUNet(g, weights, cfg.unet, {});
    for (const t of taps) g.output(t.value, `tap:${t.name}`, { dtype: 'float32' });
    const dir = join(WORK, 'onnx-taps', cfg.name);
    await mkdir(dir, { recursive: true });
    await g.save(dir);
    await sd.close();
    await pia.close();
    const session = await P.OnnxSession.load(join(dir, 'model.onnx'), { threads: THREADS });
    const cases = cfg.name === 'tiny' ? JSON.parse(await readFile(join(IN, 'unet_cases.json'), 'utf8')).slice(0, 1) : [{ name: 'full', t: 961 }];
    for (const c of cases) {
      const sample = await readTensor(IN, `${c.name}_sample`);
      const text = await readTensor(IN, `${c.name}_text`);
      const r = await session.run({
        sample: { dtype: 'float32', shape: sample.dims, data: sample.data },
        timestep: { dtype: 'float32', shape: [1], data: Float32Array.of(c.t) },
        encoder_hidden_states: { dtype: 'float32', shape: text.dims, data: text.data },
      });
      const order = [];
      for (const t of taps) {
        const v = r[`tap:${t.name}`];
        await writeTensor(OUT, `taps_${c.name}__${t.name}`, v.data, [...v.dims]);
        order.push({ name: t.name, shape: [...v.dims] });
      }
      await writeJson(OUT, `taps_${c.name}`, { frames: sample.dims[2], batch: sample.dims[0], taps: order });
      await writeTensor(OUT, `taps_${c.name}__out`, r.noise_pred.data, [...r.noise_pred.dims]);
    }
    await session.release();
  },

  /** VAE encoder (mean, logvar) and decoder through the handle. */
  async vae() {
    const m = await loadTiny(['vae']);
    const image = await readTensor(IN, 'vae_image');
    const { mean, logvar } = await m.vae.encode(image);
    await writeTensor(OUT, 'vae_mean', mean.data, mean.dims);
    await writeTensor(OUT, 'vae_logvar', logvar.data, logvar.dims);
    const latent = await readTensor(IN, 'vae_latent');
    const dec = await m.vae.decode(latent, { chunkSize: 1 });
    await writeTensor(OUT, 'vae_decoded', dec.data, dec.dims);
    const dec3 = await m.vae.decode(latent, { chunkSize: 3 });
    await writeTensor(OUT, 'vae_decoded_batch', dec3.data, dec3.dims);
    await m.release();
  },

  /** Tokenizer ids (real CLIP vocabulary) for the prompt list, and the tiny CLIP's last hidden state on them. */
  async tokenize() {
    const vocab = rest[0];
    const prompts = JSON.parse(await readFile(join(IN, 'prompts.json'), 'utf8'));
    const tok = await P.loadClipTokenizer(vocab);
    const ids = prompts.map((p) => tok.encodeForTextEncoder(p).inputIds);
    await writeJson(OUT, 'token_ids', ids);
  },

  async clip() {
    const m = await loadTiny(['clip']);
    const ids = JSON.parse(await readFile(join(OUT, 'token_ids.json'), 'utf8')).slice(0, 6);
    await writeTensor(IN, 'clip_ids', ids.flat(), [ids.length, 77], 'int64');
    const r = await m.clip.encode({ data: ids.flat(), dims: [ids.length, 77] });
    await writeTensor(OUT, 'clip_hidden', r.data, r.dims);
    // A shorter sequence (S < 77) exercises the sliced causal mask / position table.
    const short = ids.map((row) => row.slice(0, 20));
    const r2 = await m.clip.encode({ data: short.flat(), dims: [short.length, 20] });
    await writeTensor(OUT, 'clip_hidden_s20', r2.data, r2.dims);
    await m.release();
  },

  /**
   * A whole short sample with the project's pipeline helpers: tokenizer → CLIP, VAE encode (posterior mean),
   * mask from a preset, sampleVideo (its noise = NormalGenerator(seed), written out for the reference), decode.
   */
  async sample() {
    const vocab = rest[0];
    const spec = { frames: 8, steps: 5, cfg: 7.5, preset: 'moderate-motion', piaIndex: 1, seed: 1234, height: 64, width: 64,
      prompt: 'a golden labrador is running, best quality', negative: 'wrong white balance, dark, sketches,worst quality,low quality' };
    const m = await loadTiny(['unet', 'vae', 'clip']);
    const tok = await P.loadClipTokenizer(vocab);
    const pos = await P.encodeText(tok, m.clip, spec.prompt);
    const neg = await P.encodeText(tok, m.clip, spec.negative);
    // A deterministic 64×64 RGB picture (smooth gradients + a disc), uint8 HWC as PIA reads it.
    const rgb = new Uint8Array(spec.height * spec.width * 3);
    for (let y = 0; y < spec.height; y++) for (let x = 0; x < spec.width; x++) {
      const i = (y * spec.width + x) * 3;
      const d = Math.hypot(x - 40, y - 24) < 14;
      rgb[i] = d ? 230 : Math.round((255 * x) / (spec.width - 1));
      rgb[i + 1] = d ? 200 : Math.round((255 * y) / (spec.height - 1));
      rgb[i + 2] = d ? 40 : 128;
    }
    await writeTensor(IN, 'sample_image_u8', Float32Array.from(rgb), [spec.height, spec.width, 3]);
    const plane = spec.height * spec.width;
    const pixels = new Float32Array(3 * plane);
    for (let i = 0; i < plane; i++) for (let c = 0; c < 3; c++) pixels[c * plane + i] = (rgb[i * 3 + c] / 255) * 2 - 1;
    const cond = await P.encodeConditionLatent(m.vae, { data: pixels, width: spec.width, height: spec.height }, { mode: 'mean', seed: 0 });
    const mask = P.prepareMaskCoefByStatistics(spec.frames, 0, spec.preset);
    const h = spec.height / 8, w = spec.width / 8;
    const noise = new P.NormalGenerator(spec.seed).next(4 * spec.frames * h * w);
    await writeTensor(IN, 'sample_noise', noise, [1, 4, spec.frames, h, w]);
    const latents = await P.sampleVideo({ unet: m.unet, positive: pos.data, negative: neg.data, textDims: [pos.dims[1], pos.dims[2]],
      conditionLatent: cond.latent, mask, height: h, width: w, seed: spec.seed, steps: spec.steps, cfg: spec.cfg,
      // The noise written above is NormalGenerator(seed)'s: the Philox stream (the sampler's default is torch_cpu).
      noise: 'philox' });
    await writeTensor(OUT, 'sample_latents', latents, [1, 4, spec.frames, h, w]);
    await writeTensor(OUT, 'sample_cond_latent', cond.latent, cond.dims);
    await writeTensor(OUT, 'sample_text', P.stackEmbeddings([neg.data, pos.data]), [2, pos.dims[1], pos.dims[2]]);
    const frames = await P.decodeVideoLatent(m.vae, latents, [1, 4, spec.frames, h, w], 1);
    await writeTensor(OUT, 'sample_frames', frames.data, frames.dims);
    await writeJson(IN, 'sample_spec', { ...spec, mask });
    await m.release();
  },

  /** ms per U-Net forward (project path: loadPiaModels + UNetHandle.run), tiny config. */
  async perf() {
    const reps = Number(rest[0] ?? 5);
    const which = rest[1] ?? 'tiny';
    const m = which === 'tiny' ? await loadTiny(['unet'])
      : await (async () => { const f = JSON.parse(await readFile(join(IN, 'full_paths.json'), 'utf8'));
        return P.loadPiaModels({ checkpoint: f.checkpoint, pia: f.pia, cacheDir: join(f.dir, '.cache'), threads: THREADS, parts: ['unet'] }); })();
    const name = which === 'tiny' ? 'unet_f8' : 'full';
    const sample = await readTensor(IN, `${name}_sample`);
    const text = await readTensor(IN, `${name}_text`);
    await m.unet.run(sample, 961, text); // warm-up
    const times = [];
    for (let i = 0; i < reps; i++) {
      const t0 = performance.now();
      await m.unet.run(sample, 961, text);
      times.push(performance.now() - t0);
    }
    await writeJson(OUT, `perf_${which}`, { shape: sample.dims, threads: THREADS, spinning: P.defaultSpinning(), times_ms: times, report: m.report.graphs });
    if (which !== 'tiny') {
      const r = await m.unet.run(sample, 961, text);
      await writeTensor(OUT, 'full', r.data, r.dims);
    }
    await m.release();
  },

  /** Full-size random sd15 files (the project's own generator, ~6 GB) and the medium-size inputs. */
  async 'gen-full'() {
    const dir = rest[0] ?? join(WORK, 'full');
    const frames = Number(rest[1] ?? 8), side = Number(rest[2] ?? 16);
    const paths = await P.ensureFullSizeRandomModels(dir);
    await writeJson(IN, 'full_paths', { ...paths, dir });
    await writeJson(IN, 'sd15_config', P.sd15);
    const shape = [2, 9, frames, side, side];
    await writeTensor(IN, 'full_sample', piaUNetInput(frames, side, side, 900, P.prepareMaskCoefByStatistics(frames, 0, 'moderate-motion')), shape);
    await writeTensor(IN, 'full_text', normal(2 * 77 * 768, 901), [2, 77, 768]);
  },
};

const fn = commands[command];
if (!fn) throw new Error(`unknown command ${command}; one of ${Object.keys(commands).join(', ')}`);
const t0 = performance.now();
await fn();
console.log(`[project] ${command} done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
