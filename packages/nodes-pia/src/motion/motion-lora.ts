/**
 * Motion LoRAs (AnimateDiff's camera-motion LoRAs, `models/animatediff_motion_lora/`): low-rank updates of the
 * temporal attentions' projections, stored as `….attention_blocks.k.processor.to_q_lora.down.weight` / `.up.weight`.
 * As in AnimateDiff-Evolved, the update of a weight is `strength · up · down` (no alpha), and a v2 LoRA's mid-block
 * entries are skipped on a motion model without a mid block.
 */
import { CheckpointError, shapeText } from '../checkpoints/errors.js';
import type { PiaModelConfig } from '../models/config.js';
import type { LazyTensor } from '../models/tensors.js';
import { openWeights } from '../weights/open-weights.js';
import type { WeightSource } from '../weights/weight-source.js';
import { motionFileSpecs } from './bind.js';

/** One low-rank update: the canonical weight it changes and its factors. */
export interface MotionLoraUpdate {
  readonly target: string;
  /** `[out, rank]`. */
  readonly up: LazyTensor;
  /** `[rank, in]`. */
  readonly down: LazyTensor;
}

/** An opened motion LoRA. */
export interface MotionLoraFile {
  readonly path: string;
  readonly updates: readonly MotionLoraUpdate[];
  close(): Promise<void>;
}

const DOWN = /^(.*)\.processor\.(to_q|to_k|to_v|to_out)_lora\.down\.weight$/;

/** The original-layout weight a LoRA `down` key updates (`to_out` becomes `to_out.0`, as ADE maps it). */
function targetKey(match: RegExpExecArray): string {
  const projection = match[2] === 'to_out' ? 'to_out.0' : match[2]!;
  return `${match[1]}.${projection}.weight`;
}

/** Reads the updates of a motion LoRA for a motion model of `config` (with or without a mid block). */
export function bindMotionLora(source: WeightSource, config: PiaModelConfig, midBlock: boolean): MotionLoraFile {
  const keys = source.keys().filter((k) => k.includes('temporal'));
  if (keys.length === 0) throw new CheckpointError('not-motion-module', source.path, 'it has no temporal keys: this is not a motion LoRA');
  const specs = motionFileSpecs(config, { midBlock: true, layout: 'original' });
  const updates: MotionLoraUpdate[] = [];
  for (const key of keys) {
    const match = DOWN.exec(key);
    if (!match) {
      if (/_lora\.up\.weight$/.test(key)) continue;
      throw new CheckpointError('extra-tensor', source.path, `unexpected tensor '${key}' in a motion LoRA`, { key });
    }
    if (!midBlock && key.startsWith('mid_block.')) continue;
    const spec = specs.get(targetKey(match));
    if (!spec) throw new CheckpointError('extra-tensor', source.path, `'${key}' updates '${targetKey(match)}', which no ${config.name} motion model has`, { key });
    const upKey = key.replace('.down.', '.up.');
    if (!source.has(upKey)) throw new CheckpointError('missing-tensor', source.path, `'${key}' has no matching '${upKey}'`, { key: upKey });
    const up = source.info(upKey).shape;
    const down = source.info(key).shape;
    const [out, inp] = spec.shape as [number, number];
    if (up.length !== 2 || down.length !== 2 || up[0] !== out || down[1] !== inp || up[1] !== down[0]) {
      throw new CheckpointError(
        'shape-mismatch',
        source.path,
        `'${upKey}' ${shapeText(up)} × '${key}' ${shapeText(down)} does not make the ${shapeText(spec.shape)} of '${spec.alt}'`,
        { key, actualShape: down },
      );
    }
    updates.push({ target: spec.name, up: { shape: up, read: () => source.read(upKey, 'f32') }, down: { shape: down, read: () => source.read(key, 'f32') } });
  }
  return { path: source.path, updates, close: () => source.close() };
}

/** Opens a motion LoRA file for a motion model of `config`. */
export async function openMotionLora(path: string, config: PiaModelConfig, midBlock: boolean): Promise<MotionLoraFile> {
  const source = await openWeights(path);
  try {
    return bindMotionLora(source, config, midBlock);
  } catch (err) {
    await source.close();
    throw err;
  }
}

/** `target += strength · up · down`, in float32 with float64 sums. */
export function addLowRank(target: Float32Array, up: Float32Array, down: Float32Array, out: number, rank: number, inp: number, strength: number): void {
  for (let o = 0; o < out; o++) {
    for (let i = 0; i < inp; i++) {
      let sum = 0;
      for (let r = 0; r < rank; r++) sum += up[o * rank + r]! * down[r * inp + i]!;
      target[o * inp + i] = target[o * inp + i]! + strength * sum;
    }
  }
}
