/**
 * Binding checkpoint files to the canonical weights the graph builders need: every expected tensor present with
 * its expected shape, nothing unexpected, conv_in merged as PIA does (channels 0–3 and the bias from the
 * Stable Diffusion checkpoint, 4–8 from the PIA file).
 */
import type { PiaModelConfig } from '../models/config.js';
import type { LazyTensor, ModelWeights } from '../models/tensors.js';
import { openWeights } from '../weights/open-weights.js';
import type { WeightSource } from '../weights/weight-source.js';
import { CheckpointError, shapeText } from './errors.js';
import { detectConfig, refuseOtherDiffusersFamilies, refuseOtherLdmFamilies, SIGNATURE_KEYS } from './family.js';
import {
  componentKeys,
  diffusersFolderName,
  ldmToDiffusers,
  motionLayoutOf,
  motionPeSpecs,
  motionToDiffusers,
  type Component,
} from './key-map.js';
import type { KeySpec } from './key-table.js';
import { isFolder, openDiffusersPart } from './open.js';

/** A Stable Diffusion 1.5 checkpoint bound to canonical names; conv_in still has the checkpoint's own channels. */
export interface SdCheckpoint {
  readonly config: PiaModelConfig;
  readonly layout: 'ldm' | 'diffusers';
  readonly unet: ModelWeights;
  readonly vae: ModelWeights;
  readonly clip: ModelWeights;
  /** Every file read, for cache keys. */
  readonly files: readonly string[];
  close(): Promise<void>;
}

/** PIA's motion modules and 9-channel conv_in. */
export interface MotionCheckpoint {
  readonly layout: 'original' | 'diffusers';
  readonly motion: ModelWeights;
  /** conv_in `[C, 9, 3, 3]` of the PIA file; only channels 4–8 are used. */
  readonly convIn: LazyTensor;
  readonly files: readonly string[];
  close(): Promise<void>;
}

const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

function lazy(source: WeightSource, key: string, shape: readonly number[]): LazyTensor {
  return { shape, read: () => source.read(key, 'f32') };
}

/** Collects tensors of one component, checking shapes; reports missing tensors at the end. */
export class Binder {
  readonly weights = new Map<string, LazyTensor>();
  private readonly fileKeys = new Map<string, string>();

  constructor(
    private readonly config: PiaModelConfig,
    private readonly component: Component,
    private readonly altName: (spec: KeySpec) => string,
  ) {}

  bind(source: WeightSource, fileKey: string, spec: KeySpec, allowed: readonly (readonly number[])[]): void {
    const actual = source.info(fileKey).shape;
    if (!allowed.some((s) => sameShape(s, actual))) {
      throw new CheckpointError(
        'shape-mismatch',
        source.path,
        `tensor '${fileKey}' has shape ${shapeText(actual)}, expected ${allowed.map(shapeText).join(' or ')}`,
        { key: fileKey, expectedShape: allowed[0], actualShape: actual },
      );
    }
    this.fileKeys.set(spec.name, fileKey);
    // Weights are stored in their canonical shape; a 1×1-conv attention weight has the same data as its squeezed form.
    this.weights.set(spec.name, { shape: spec.name === 'conv_in.weight' ? actual : spec.shape, read: lazy(source, fileKey, spec.shape).read });
  }

  finish(file: string): ModelWeights {
    const missing = componentKeys(this.config, this.component).specs.filter((s) => !this.weights.has(s.name));
    const first = missing[0];
    if (first) {
      throw new CheckpointError(
        'missing-tensor',
        file,
        `missing ${this.component} tensor '${this.altName(first)}' of shape ${shapeText(first.altShape ?? first.shape)}` +
          (missing.length > 1 ? ` (and ${missing.length - 1} more)` : ''),
        { key: this.altName(first), expectedShape: first.altShape ?? first.shape, count: missing.length },
      );
    }
    return this.weights;
  }
}

export function extra(file: string, key: string, what: string): never {
  throw new CheckpointError('extra-tensor', file, `unexpected tensor '${key}' in the ${what}`, { key });
}

/** conv_in may come with the latent's channels (SD) or already with PIA's nine. */
function allowedShapes(config: PiaModelConfig, spec: KeySpec, layoutShape: readonly number[]): (readonly number[])[] {
  if (spec.name !== 'conv_in.weight') return [layoutShape];
  const [c, , k, k2] = spec.shape as [number, number, number, number];
  return [[c, config.unet.latentChannels, k, k2], spec.shape];
}

/** Keys that are buffers of the original modules, not weights: accepted and ignored. */
export const IGNORED = /(^|\.)position_ids$/;

/** Binds an LDM single-file checkpoint (`model.diffusion_model.*`, `first_stage_model.*`, `cond_stage_model.transformer.*`). */
export function bindLdm(source: WeightSource, config?: PiaModelConfig): SdCheckpoint {
  refuseOtherLdmFamilies(source);
  const cfg = config ?? detectConfig(source, SIGNATURE_KEYS.ldm.convIn, SIGNATURE_KEYS.ldm.crossAttn);
  const binders = {
    unet: new Binder(cfg, 'unet', (s) => `model.diffusion_model.${s.alt}`),
    vae: new Binder(cfg, 'vae', (s) => `first_stage_model.${s.alt}`),
    clip: new Binder(cfg, 'clip', (s) => `cond_stage_model.transformer.${s.alt}`),
  };
  const prefixes = ['model.diffusion_model.', 'first_stage_model.', 'cond_stage_model.transformer.'];
  for (const key of source.keys()) {
    if (IGNORED.test(key)) continue;
    const mapped = ldmToDiffusers(cfg, key);
    if (!mapped) {
      // Keys outside the three networks (EMA copies, noise-schedule buffers) are not weights of the pipeline.
      if (prefixes.some((p) => key.startsWith(p))) extra(source.path, key, `${cfg.name} LDM layout`);
      continue;
    }
    const binder = binders[mapped.component as 'unet' | 'vae' | 'clip'];
    binder.bind(source, key, mapped.spec, allowedShapes(cfg, mapped.spec, mapped.spec.altShape ?? mapped.spec.shape));
  }
  return {
    config: cfg,
    layout: 'ldm',
    unet: binders.unet.finish(source.path),
    vae: binders.vae.finish(source.path),
    clip: binders.clip.finish(source.path),
    files: source.files,
    close: () => source.close(),
  };
}

function bindDiffusersPart(source: WeightSource, cfg: PiaModelConfig, component: 'unet' | 'vae' | 'clip'): ModelWeights {
  const binder = new Binder(cfg, component, (s) => s.name);
  const keys = componentKeys(cfg, component);
  for (const key of source.keys()) {
    if (IGNORED.test(key)) continue;
    const spec = keys.byName.get(diffusersFolderName(component, key));
    if (!spec) extra(source.path, key, `diffusers ${component} of ${cfg.name}`);
    // Old diffusers VAEs stored attention projections as 1×1 convs.
    const shapes = allowedShapes(cfg, spec, spec.shape);
    if (spec.altShape) shapes.push(spec.altShape);
    binder.bind(source, key, spec, shapes);
  }
  return binder.finish(source.path);
}

/** Binds a diffusers pipeline folder (`unet/`, `vae/`, `text_encoder/`). */
export async function bindDiffusersFolder(folder: string, config?: PiaModelConfig): Promise<SdCheckpoint> {
  const opened: WeightSource[] = [];
  try {
    for (const part of ['unet', 'vae', 'text_encoder'] as const) opened.push(await openDiffusersPart(folder, part));
    const [unet, vae, clip] = opened as [WeightSource, WeightSource, WeightSource];
    refuseOtherDiffusersFamilies(unet);
    const cfg = config ?? detectConfig(unet, SIGNATURE_KEYS.diffusers.convIn, SIGNATURE_KEYS.diffusers.crossAttn);
    return {
      config: cfg,
      layout: 'diffusers',
      unet: bindDiffusersPart(unet, cfg, 'unet'),
      vae: bindDiffusersPart(vae, cfg, 'vae'),
      clip: bindDiffusersPart(clip, cfg, 'clip'),
      files: [...unet.files, ...vae.files, ...clip.files],
      close: async () => {
        await Promise.all(opened.map((s) => s.close()));
      },
    };
  } catch (err) {
    // The parts opened before the failure; settled, so a failing close never hides the error that matters.
    await Promise.allSettled(opened.map((s) => s.close()));
    throw err;
  }
}

/** Opens a Stable Diffusion 1.5 checkpoint: a single file in the LDM layout, or a diffusers folder. */
export async function openSdCheckpoint(path: string, config?: PiaModelConfig): Promise<SdCheckpoint> {
  if (await isFolder(path)) return bindDiffusersFolder(path, config);
  const source = await openWeights(path);
  try {
    return bindLdm(source, config);
  } catch (err) {
    await source.close();
    throw err;
  }
}

/** Binds a PIA motion-module file: original (`pia.ckpt`) or diffusers MotionAdapter names, plus conv_in. */
export function bindMotion(source: WeightSource, cfg: PiaModelConfig): MotionCheckpoint {
  const keys = source.keys();
  const layout = motionLayoutOf(keys);
  const binder = new Binder(cfg, 'motion', (s) => (layout === 'original' ? s.alt : s.name));
  const pe = motionPeSpecs(cfg, layout);
  const [c0] = componentKeys(cfg, 'unet').byName.get('conv_in.weight')!.shape;
  const convInShape = [c0!, cfg.unet.inChannels, 3, 3];
  let convIn: LazyTensor | undefined;
  for (const key of keys) {
    if (key === 'conv_in.weight') {
      const actual = source.info(key).shape;
      if (!sameShape(actual, convInShape)) {
        throw new CheckpointError('shape-mismatch', source.path, `tensor 'conv_in.weight' has shape ${shapeText(actual)}, expected ${shapeText(convInShape)}`, {
          key,
          expectedShape: convInShape,
          actualShape: actual,
        });
      }
      convIn = lazy(source, key, convInShape);
      continue;
    }
    // PIA's file repeats the bias; the personalised checkpoint's bias is the one PIA uses.
    if (key === 'conv_in.bias') continue;
    const peSpec = pe.get(key);
    if (peSpec) {
      const actual = source.info(key).shape;
      if (actual.length !== 3 || actual[2] !== peSpec.shape[2] || (actual[1] ?? 0) < 1) {
        throw new CheckpointError('shape-mismatch', source.path, `tensor '${key}' has shape ${shapeText(actual)}, expected ${shapeText(peSpec.shape)}`, {
          key,
          expectedShape: peSpec.shape,
          actualShape: actual,
        });
      }
      continue;
    }
    const spec = motionToDiffusers(cfg, layout, key);
    if (!spec) extra(source.path, key, `${layout} motion-module layout of ${cfg.name}`);
    binder.bind(source, key, spec, [spec.shape]);
  }
  if (!convIn) {
    throw new CheckpointError(
      'not-motion-module',
      source.path,
      `no 'conv_in.weight' of shape ${shapeText(convInShape)}: this is not a PIA file (a plain AnimateDiff motion module lacks PIA's condition channels)`,
      { key: 'conv_in.weight', expectedShape: convInShape },
    );
  }
  return { layout, motion: binder.finish(source.path), convIn, files: source.files, close: () => source.close() };
}

/** Opens a PIA motion-module file, or a diffusers MotionAdapter folder. */
export async function openMotionCheckpoint(path: string, cfg: PiaModelConfig): Promise<MotionCheckpoint> {
  const source = (await isFolder(path)) ? await openDiffusersPart(path, 'adapter') : await openWeights(path);
  try {
    return bindMotion(source, cfg);
  } catch (err) {
    await source.close();
    throw err;
  }
}

/** conv_in of the PIA U-Net: channels 0–3 from the SD checkpoint, 4–8 from the PIA file (pia-model.md §3.5). */
export function mergeConvIn(sdConvIn: LazyTensor, piaConvIn: LazyTensor, cfg: PiaModelConfig): LazyTensor {
  const [c, , k, k2] = piaConvIn.shape as [number, number, number, number];
  const inC = cfg.unet.inChannels;
  const latent = cfg.unet.latentChannels;
  const sdIn = sdConvIn.shape[1]!;
  const plane = k * k2;
  return {
    shape: [c, inC, k, k2],
    read: async () => {
      const [sd, pia] = await Promise.all([sdConvIn.read(), piaConvIn.read()]);
      const out = new Float32Array(c * inC * plane);
      for (let o = 0; o < c; o++) {
        out.set(sd.subarray(o * sdIn * plane, (o * sdIn + latent) * plane), o * inC * plane);
        out.set(pia.subarray((o * inC + latent) * plane, (o + 1) * inC * plane), (o * inC + latent) * plane);
      }
      return out;
    },
  };
}

/** The PIA U-Net's weights: the SD U-Net with conv_in merged, plus the motion modules. */
export function piaUNetWeights(sd: SdCheckpoint, pia: MotionCheckpoint): ModelWeights {
  const merged = new Map(sd.unet);
  merged.set('conv_in.weight', mergeConvIn(sd.unet.get('conv_in.weight')!, pia.convIn, sd.config));
  for (const [k, v] of pia.motion) merged.set(k, v);
  return merged;
}

/**
 * The image U-Net's weights: the checkpoint's U-Net as it is. A checkpoint whose conv_in already has PIA's nine
 * channels (a merged PIA checkpoint) gives its first four, the noisy latent's.
 */
export function imageUNetWeights(sd: SdCheckpoint): ModelWeights {
  const convIn = sd.unet.get('conv_in.weight')!;
  const latent = sd.config.unet.latentChannels;
  const [c, inC, k, k2] = convIn.shape as [number, number, number, number];
  if (inC === latent) return sd.unet;
  const plane = k * k2;
  const sliced: LazyTensor = {
    shape: [c, latent, k, k2],
    read: async () => {
      const all = await convIn.read();
      const out = new Float32Array(c * latent * plane);
      for (let o = 0; o < c; o++) out.set(all.subarray(o * inC * plane, (o * inC + latent) * plane), o * latent * plane);
      return out;
    },
  };
  return new Map(sd.unet).set('conv_in.weight', sliced);
}
