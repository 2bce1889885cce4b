/**
 * Binding a recognised motion-model file to the canonical (diffusers MotionAdapter) names the U-Net builder reads:
 * every module of its kind present with its shape (the mid block's for v2), PIA's conv_in kept aside, the position
 * encodings checked and left to be recomputed. Keys that are not motion-module weights are ignored as ADE ignores them
 * (a file may carry extra state); a temporal key that fits no module is an error naming it.
 */
import { CheckpointError, shapeText } from '../checkpoints/errors.js';
import { motionKeys, unetKeys, type KeySpec } from '../checkpoints/key-table.js';
import { modelConfigs, type PiaModelConfig } from '../models/config.js';
import type { LazyTensor, ModelWeights } from '../models/tensors.js';
import { openWeights } from '../weights/open-weights.js';
import type { WeightSource } from '../weights/weight-source.js';
import type { MotionModelInfo } from './motion-model.js';
import { recogniseMotionModel } from './recognise.js';

/** A bound motion-model file. */
export interface MotionModelFile {
  readonly info: MotionModelInfo;
  /** The config of the U-Net the modules fit. */
  readonly config: PiaModelConfig;
  /** The motion modules' weights by canonical name. */
  readonly motion: ModelWeights;
  /** PIA's conv_in `[C, 9, 3, 3]` (only channels 4–8 are used); absent for AnimateDiff. */
  readonly convIn?: LazyTensor;
  readonly files: readonly string[];
  close(): Promise<void>;
}

const same = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

function lazy(source: WeightSource, key: string, shape: readonly number[]): LazyTensor {
  return { shape, read: () => source.read(key, 'f32') };
}

function checkShape(source: WeightSource, key: string, expected: readonly number[]): void {
  const actual = source.info(key).shape;
  if (!same(actual, expected)) {
    throw new CheckpointError('shape-mismatch', source.path, `tensor '${key}' has shape ${shapeText(actual)}, expected ${shapeText(expected)}`, {
      key,
      expectedShape: expected,
      actualShape: actual,
    });
  }
}

/** The tensors a file of `info`'s kind must hold, by their key in the file. */
export function motionFileSpecs(config: PiaModelConfig, info: Pick<MotionModelInfo, 'midBlock' | 'layout'>): Map<string, KeySpec> {
  const specs = motionKeys(config.unet, { midBlock: info.midBlock });
  return new Map(specs.map((s) => [info.layout === 'original' ? s.alt : s.name, s]));
}

/** Whether a key of a file is a position-encoding buffer (recomputed, never bound). */
const isPositionEncoding = (key: string) => /\.(pos_encoder|pos_embed)\.pe$/.test(key);

/** Binds `source` (recognised as `info`) to canonical motion-module names. */
export function bindMotionModel(source: WeightSource, info: MotionModelInfo = recogniseMotionModel(source)): MotionModelFile {
  const config = modelConfigs[info.configName]!;
  const specs = motionFileSpecs(config, info);
  const motion = new Map<string, LazyTensor>();
  let convIn: LazyTensor | undefined;
  for (const key of source.keys()) {
    const spec = specs.get(key);
    if (spec) {
      checkShape(source, key, spec.shape);
      motion.set(spec.name, lazy(source, key, spec.shape));
      continue;
    }
    if (key === 'conv_in.weight' && info.format === 'PIA') {
      const c0 = unetKeys(config.unet).find((s) => s.name === 'conv_in.weight')!.shape[0]!;
      checkShape(source, key, [c0, config.unet.inChannels, 3, 3]);
      convIn = lazy(source, key, [c0, config.unet.inChannels, 3, 3]);
      continue;
    }
    const motionKey = info.layout === 'original' ? key.includes('temporal') : key.includes('motion_modules.');
    if (motionKey && !isPositionEncoding(key)) {
      throw new CheckpointError('extra-tensor', source.path, `unexpected tensor '${key}' in an ${info.layout} ${info.format} ${info.version} motion model`, { key });
    }
  }
  const missing = [...specs.entries()].filter(([, s]) => !motion.has(s.name));
  if (missing.length > 0) {
    const [key, spec] = missing[0]!;
    throw new CheckpointError(
      'missing-tensor',
      source.path,
      `missing motion-module tensor '${key}' of shape ${shapeText(spec.shape)}` + (missing.length > 1 ? ` (and ${missing.length - 1} more)` : ''),
      { key, expectedShape: spec.shape, count: missing.length },
    );
  }
  return { info, config, motion, ...(convIn ? { convIn } : {}), files: source.files, close: () => source.close() };
}

/** Opens and binds a motion-model file (`.ckpt` or `.safetensors`, original or MotionAdapter names). */
export async function openMotionModel(path: string): Promise<MotionModelFile> {
  const source = await openWeights(path);
  try {
    return bindMotionModel(source);
  } catch (err) {
    await source.close();
    throw err;
  }
}

/** Reads what a motion-model file is (opened and closed again). */
export async function motionModelInfo(path: string): Promise<MotionModelInfo> {
  const file = await openMotionModel(path);
  await file.close();
  return file.info;
}
