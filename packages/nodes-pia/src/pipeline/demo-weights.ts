/**
 * The demo model: the tiny generated checkpoint and PIA file (same generators, key layouts and random
 * initialisation as `ensureDemoModels`), with some tensors set by hand before they are written: the VAE
 * (`demo-vae.ts`: decode(encode(x)) is a blurred x, the scaled latent is the picture's colour) and a handful of U-Net
 * tensors so that PIA's condition path does what it does in the trained model: a frame's affinity decides how close
 * it stays to the condition image. Random weights cannot show that (they never learnt to copy the condition latent).
 *
 * The hand-set path: the last up-block resnet passes only its conv_in skip through (conv2 zeroed, shortcut = the
 * identity on the skip half), the spatial transformer and motion module after it are identities (proj_out zeroed),
 * so `ε = conv_out(SiLU(GroupNorm(conv_in(sample))))`. conv_in makes, per latent channel k, the group
 * `{u_k, −u_k, +K, −K}` with `u_k = 1.5·x_k − y_k − δ_k·(1 − m)` (x noisy latent, y condition latent, m the frame's
 * affinity): the group mean is exactly 0 and the constants fix its variance, so GroupNorm (γ = K/√2) is the identity
 * on u up to 1e−4; conv_out takes `SiLU(u) − SiLU(−u) = u`. With `ε = 1.5·x − τ` DDIM ends near the target
 * `τ = y + δ·(1 − m)` from any noise (the noise term shrinks to about 3 %, the target is reached within ±5 % for
 * 4–50 steps; a scalar simulation of DDIM gives those figures). So frame f lands at the condition latent shifted by
 * `δ·(1 − m_f)`: the condition frame (m = 1) reproduces it, low-affinity frames move away. With the demo VAE the
 * latent channels are R, G, B (image units, [−1, 1]) and 0, so δ is a colour cast: {@link DEMO_PATH}'s warms the
 * picture (red up, blue down) by up to 0.35 of the range at affinity 0. The rest of the network (text, motion
 * modules) is computed but does not reach the output: this is a structural demo, not an animation.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { componentKeys, LDM_PREFIX, ldmToDiffusers, motionToDiffusers } from '../checkpoints/index.js';
import { ldmCheckpointTensors, motionFileTensors, writeDemoLora } from '../demo/index.js';
import { tiny, type PiaModelConfig } from '../models/index.js';
import { tinyClipVocabulary, writeTokenizerFolder } from '../tokenizer/index.js';
import { pathExists } from '../path-exists.js';
import { openSafetensors, writeSafetensors, writeTorchCheckpoint, type TensorToWrite } from '../weights/index.js';
import { demoVaeTensor } from './demo-vae.js';
import { PipelineError } from './errors.js';

/** How the demo U-Net's condition path is set. */
export interface DemoPathSettings {
  /** Gain of the noisy latent in ε (1.5: DDIM's residual noise about 3 %, target gain 0.94–1.05). */
  readonly gain: number;
  /** Per latent channel (the demo VAE's R, G, B, unused): how far a frame of affinity 0 moves from the condition latent. */
  readonly departure: readonly number[];
  /** The constant channels that pin each GroupNorm group's variance. */
  readonly pin: number;
}

export const DEMO_PATH: DemoPathSettings = { gain: 1.5, departure: [0.7, 0.2, -0.7, 0], pin: 100 };

const LAST_UP = (cfg: PiaModelConfig) => `up_blocks.${cfg.unet.blockOutChannels.length - 1}`;

/** The value of every tensor the demo path sets, by canonical U-Net name; undefined for the others. */
export function demoTensor(cfg: PiaModelConfig, name: string, shape: readonly number[], settings = DEMO_PATH): Float32Array | undefined {
  const u = cfg.unet;
  const c0 = u.blockOutChannels[0]!;
  const lc = u.latentChannels;
  const last = LAST_UP(cfg);
  const lastResnet = `${last}.resnets.${u.layersPerBlock}`;
  const zero = () => new Float32Array(shape.reduce((a, b) => a * b, 1));
  if (lc * 4 > c0 || c0 / u.normGroups !== 4) {
    throw new PipelineError('bad-option', `the demo path needs GroupNorm groups of 4 channels and ${lc * 4} channels, config ${cfg.name} has neither`);
  }
  if (name === `${lastResnet}.conv2.weight` || name === `${lastResnet}.conv2.bias` || name === `${lastResnet}.conv_shortcut.bias`) return zero();
  if (name === `${last}.attentions.${u.layersPerBlock}.proj_out.weight` || name === `${last}.attentions.${u.layersPerBlock}.proj_out.bias`) return zero();
  if (name.startsWith(`${last}.motion_modules.${u.layersPerBlock}.`) && name.includes('proj_out')) return zero();
  if (name === `${lastResnet}.conv_shortcut.weight`) {
    // [C, 2C, 1, 1]: the input is cat(h, skip); keep the skip (conv_in's output), drop h.
    const w = zero();
    for (let c = 0; c < c0; c++) w[c * 2 * c0 + c0 + c] = 1;
    return w;
  }
  const centre = (k: number) => Math.floor(k / 2) * k + Math.floor(k / 2);
  if (name === 'conv_in.weight') {
    // Written twice: [C, 4, k, k] in the SD checkpoint (latent channels), [C, 9, k, k] in the PIA file.
    const [, inC, kh] = shape as [number, number, number, number];
    const w = zero();
    const at = (out: number, input: number) => (out * inC + input) * kh * kh + centre(kh);
    for (let k = 0; k < lc; k++) {
      for (const [ch, sign] of [[4 * k, 1], [4 * k + 1, -1]] as const) {
        if (k < inC) w[at(ch, k)] = sign * settings.gain;
        if (inC > lc) {
          w[at(ch, lc)] = sign * settings.departure[k]!; // + δ·m
          w[at(ch, lc + 1 + k)] = -sign; // − y
        }
      }
    }
    return w;
  }
  if (name === 'conv_in.bias') {
    const b = zero();
    for (let k = 0; k < lc; k++) {
      b[4 * k] = -settings.departure[k]!;
      b[4 * k + 1] = settings.departure[k]!;
      b[4 * k + 2] = settings.pin;
      b[4 * k + 3] = -settings.pin;
    }
    return b;
  }
  if (name === 'conv_norm_out.weight') {
    const g = zero();
    for (let k = 0; k < lc; k++) g[4 * k] = g[4 * k + 1] = settings.pin / Math.SQRT2;
    return g;
  }
  if (name === 'conv_norm_out.bias') return zero();
  if (name === 'conv_out.weight') {
    const [, inC, kh] = shape as [number, number, number, number];
    const w = zero();
    for (let k = 0; k < lc; k++) {
      w[(k * inC + 4 * k) * kh * kh + centre(kh)] = 1;
      w[(k * inC + 4 * k + 1) * kh * kh + centre(kh)] = -1;
    }
    return w;
  }
  if (name === 'conv_out.bias') return zero();
  return undefined;
}

function adjusted(tensor: TensorToWrite, replacement: Float32Array | undefined): TensorToWrite {
  return replacement ? { ...tensor, data: () => replacement } : tensor;
}

/**
 * Version of the demo weights, stamped in the checkpoint's metadata: bump it whenever a hand-set value changes, so
 * that {@link demoModelsCurrent} reports files an older version wrote as stale and they are written again.
 * 1: random VAE (unstamped files); 2: hand-set VAE (`demo-vae.ts`), departure in the VAE's colour units.
 */
export const DEMO_WEIGHTS_VERSION = 2;

const VERSION_KEY = 'piagraph.demo-version';

/** Where the demo files go. */
export interface DemoPaths {
  readonly checkpoint: string;
  readonly pia: string;
  readonly tokenizer: string;
  /** The checkpoint's VAE as a standalone file (`models/vae/`, LDM names without prefix, as VAE releases are). */
  readonly vae: string;
  /** A small LoRA for the demo model in the kohya layout (`models/loras/`). */
  readonly lora: string;
}

/** Paths of the demo files under a models folder. */
export function demoPaths(modelsDir: string, names: { checkpoint: string; pia: string; vae: string; lora: string }): DemoPaths {
  const checkpoint = join(modelsDir, 'checkpoints', names.checkpoint);
  return {
    checkpoint,
    pia: join(modelsDir, 'pia', names.pia),
    tokenizer: checkpoint.replace(/\.[^.]+$/, '.tokenizer'),
    vae: join(modelsDir, 'vae', names.vae),
    lora: join(modelsDir, 'loras', names.lora),
  };
}

/**
 * Writes the demo checkpoint (LDM `.safetensors`), PIA file (`.ckpt`, original key names), tokenizer folder and
 * standalone VAE file.
 */
export async function writeDemoModels(paths: DemoPaths, cfg: PiaModelConfig = tiny): Promise<void> {
  for (const file of [paths.checkpoint, paths.pia, paths.vae, paths.lora]) await mkdir(join(file, '..'), { recursive: true });
  const sd = ldmCheckpointTensors(cfg).map(([key, t]) => {
    const mapped = ldmToDiffusers(cfg, key);
    const replacement =
      mapped?.component === 'unet' ? demoTensor(cfg, mapped.spec.name, t.shape) : mapped?.component === 'vae' ? demoVaeTensor(cfg, mapped.spec.name, t.shape) : undefined;
    return [key, adjusted(t, replacement)] as [string, TensorToWrite];
  });
  const motionNames = componentKeys(cfg, 'motion');
  const pia = motionFileTensors(cfg, 'original').map(([key, t]) => {
    const name = key.startsWith('conv_in.') ? key : motionToDiffusers(cfg, 'original', key)?.name;
    const replacement = name && (key.startsWith('conv_in.') || motionNames.byName.has(name)) ? demoTensor(cfg, name, t.shape) : undefined;
    return [key, adjusted(t, replacement)] as [string, TensorToWrite];
  });
  const metadata = { 'piagraph.generated': `${cfg.name}-demo`, [VERSION_KEY]: String(DEMO_WEIGHTS_VERSION), format: 'pt' };
  await writeSafetensors(paths.checkpoint, sd, { metadata });
  const vaePrefix = LDM_PREFIX.vae;
  const vae = sd.filter(([key]) => key.startsWith(vaePrefix)).map(([key, t]) => [key.slice(vaePrefix.length), t] as [string, TensorToWrite]);
  await writeSafetensors(paths.vae, vae, { metadata: { 'piagraph.generated': `${cfg.name}-demo-vae`, format: 'pt' } });
  await writeTorchCheckpoint(paths.pia, pia);
  await writeTokenizerFolder(paths.tokenizer, tinyClipVocabulary());
  await writeDemoLora(paths.lora, cfg);
}

/**
 * Whether the demo files are all there and the checkpoint was written by this {@link DEMO_WEIGHTS_VERSION}. The PIA
 * file carries no metadata; it is written before the checkpoint and renamed with it, so a current checkpoint vouches
 * for it. An unreadable checkpoint counts as stale.
 */
export async function demoModelsCurrent(paths: DemoPaths): Promise<boolean> {
  if (!(await pathExists(paths.pia)) || !(await pathExists(paths.vae)) || !(await pathExists(paths.lora)) || !(await pathExists(join(paths.tokenizer, 'merges.txt')))) return false;
  let source;
  try {
    source = await openSafetensors(paths.checkpoint);
  } catch {
    return false;
  }
  try {
    return source.metadata[VERSION_KEY] === String(DEMO_WEIGHTS_VERSION);
  } finally {
    await source.close();
  }
}
