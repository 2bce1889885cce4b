/**
 * LoRAs applied to a network's canonical weights, lazily: `W' = W + Σ strength · scale · ΔW`, computed only when a
 * graph builder (or a patched session) reads the tensor. Only the layers a LoRA targets are replaced.
 */
import type { LazyTensor, ModelWeights } from '../models/tensors.js';
import { shapeElements } from '../weights/dtype.js';
import { orientTerm, layerTerm, type DeltaTerm } from './delta-terms.js';
import { LoraError } from './errors.js';
import { addDeltaTerms } from './merge-kernel.js';
import type { LoraFile, LoraLayer } from './open-lora.js';

/** A LoRA at a strength (ComfyUI's `strength_model` / `strength_clip`). */
export interface LoraPatch {
  readonly lora: LoraFile;
  readonly strength: number;
}

/** The layers of several LoRAs that patch one weight. */
export interface TargetedWeight {
  readonly name: string;
  readonly parts: readonly { readonly layer: LoraLayer; readonly strength: number; readonly file: string }[];
}

function checkStrengths(patches: readonly LoraPatch[]): void {
  for (const p of patches) {
    if (!Number.isFinite(p.strength)) throw new LoraError('bad-input', p.lora.path, `strength must be a finite number, got ${p.strength}`);
  }
}

/**
 * The weights the patches change, by canonical name, among `has` (the weights a network has): layers of other
 * networks (the text encoder's, for a U-Net) and zero strengths are left out.
 */
export function targetedWeights(patches: readonly LoraPatch[], has: (name: string) => boolean): TargetedWeight[] {
  checkStrengths(patches);
  const byName = new Map<string, TargetedWeight['parts'][number][]>();
  for (const { lora, strength } of patches) {
    if (strength === 0) continue;
    for (const layer of lora.layers) {
      if (!has(layer.target)) continue;
      const parts = byName.get(layer.target);
      const part = { layer, strength, file: lora.path };
      if (parts) parts.push(part);
      else byName.set(layer.target, [part]);
    }
  }
  return [...byName].map(([name, parts]) => ({ name, parts }));
}

/**
 * How the update of `layer` fits a weight of `shape`: the same `[rows, cols]`, or (conv_in) fewer input channels,
 * padded. Throws `shape-mismatch` naming the file and key otherwise.
 */
export function fitLayer(layer: LoraLayer, file: string, shape: readonly number[]): { cols: number } {
  const rows = shape[0];
  const cols = shapeElements(shape.slice(1));
  const kernel = shape.length === 4 ? shape[2]! * shape[3]! : 1;
  const padded = layer.target === 'conv_in.weight' && layer.cols < cols && layer.cols % kernel === 0;
  if (rows !== layer.rows || (layer.cols !== cols && !padded)) {
    const key = layer.update.kind === 'low-rank' ? layer.update.down.key : layer.update.w1b.key;
    throw new LoraError(
      'shape-mismatch',
      file,
      `'${key}' updates a [${layer.rows}, ${layer.cols}] matrix but the model's '${layer.target}' is [${shape.join(', ')}] (was the LoRA opened for another model config?)`,
      { keys: [key], count: 1 },
    );
  }
  return { cols };
}

/** The update terms of one weight, oriented for a weight stored as `[rows, cols]` (`transposed`: as `[cols, rows]`). */
export function weightTerms(target: TargetedWeight, shape: readonly number[], transposed: boolean): DeltaTerm[] {
  return target.parts.map(({ layer, strength, file }) => orientTerm(layerTerm(layer, strength, file), { transposed, cols: fitLayer(layer, file, shape).cols }));
}

function merged(base: LazyTensor, target: TargetedWeight): LazyTensor {
  for (const { layer, file } of target.parts) fitLayer(layer, file, base.shape);
  return {
    shape: base.shape,
    read: async () => {
      const data = await base.read();
      const rows = base.shape[0]!;
      const cols = data.length / rows;
      const out = await addDeltaTerms({ dtype: 'float32', rows, cols, data }, weightTerms(target, base.shape, false));
      return out.data as Float32Array;
    },
  };
}

/** Only the weights the LoRAs change, merged lazily; shapes are checked now. */
export function loraMergedWeights(base: ModelWeights, patches: readonly LoraPatch[]): ModelWeights {
  const out = new Map<string, LazyTensor>();
  for (const target of targetedWeights(patches, (name) => base.has(name))) out.set(target.name, merged(base.get(target.name)!, target));
  return out;
}

/**
 * `base` with the LoRAs applied: `applyLoras(unetWeights, [{ lora, strength: 0.8 }])`. Targeted tensors are merged
 * when read (`W + Σ strength · alpha/rank · up·down`, conv kernels reshaped, fp16 factors widened); every other
 * entry is `base`'s own. Layers of the other network are ignored, so one LoRA file serves U-Net and CLIP.
 */
export function applyLoras(base: ModelWeights, patches: readonly LoraPatch[]): ModelWeights {
  const changed = loraMergedWeights(base, patches);
  if (changed.size === 0) return base;
  const out = new Map(base);
  for (const [name, t] of changed) out.set(name, t);
  return out;
}
