/**
 * What AnimateDiff-Evolved changes in a motion model's weights, as replacement tensors for a session of the cached
 * graph (the graph itself is built from the file as it is):
 * - motion LoRAs: `W += strength · up · down` on the temporal attentions' projections;
 * - `scale_multival` s: ADE multiplies the attention keys by s, i.e. `to_k.weight × s` (to_k has no bias);
 * - `effect_multival` e: ADE blends `input·(1 − e) + module(input)·e`; the module returns `input + proj_out(…)`, so
 *   this is `proj_out`'s weight and bias × e (e = 0 turns the modules off).
 */
import type { LazyTensor, ModelWeights } from '../models/tensors.js';
import type { MotionModelFile } from './bind.js';
import { addLowRank, type MotionLoraFile } from './motion-lora.js';

/** The weight patches of one applied motion model. */
export interface MotionPatch {
  readonly loras: readonly { readonly lora: MotionLoraFile; readonly strength: number }[];
  readonly scale: number;
  readonly effect: number;
}

/** Whether a patch changes nothing (ADE treats multipliers within 1e-9 of 1 as 1). */
export function isIdentityPatch(patch: MotionPatch): boolean {
  const one = (v: number) => Math.abs(v - 1) <= 1e-9;
  return patch.loras.every((l) => l.strength === 0) && one(patch.scale) && one(patch.effect);
}

const isKey = (name: string) => /\.attn[12]\.to_k\.weight$/.test(name);
const isProjOut = (name: string) => /\.motion_modules\.\d+\.proj_out\.(weight|bias)$/.test(name);

/** The replaced tensors of `file`'s modules under `patch` (only those that change), by canonical name. */
export function motionPatchTensors(file: MotionModelFile, patch: MotionPatch): ModelWeights {
  const lowRank = new Map<string, { up: LazyTensor; down: LazyTensor; strength: number }[]>();
  for (const { lora, strength } of patch.loras) {
    if (strength === 0) continue;
    for (const u of lora.updates) lowRank.set(u.target, [...(lowRank.get(u.target) ?? []), { up: u.up, down: u.down, strength }]);
  }
  const out = new Map<string, LazyTensor>();
  for (const [name, base] of file.motion) {
    const updates = lowRank.get(name) ?? [];
    const factor = (isKey(name) ? patch.scale : 1) * (isProjOut(name) ? patch.effect : 1);
    if (updates.length === 0 && factor === 1) continue;
    out.set(name, {
      shape: base.shape,
      read: async () => {
        const w = await base.read();
        const [rows, cols] = base.shape as [number, number];
        for (const u of updates) addLowRank(w, await u.up.read(), await u.down.read(), rows, u.up.shape[1]!, cols, u.strength);
        if (factor !== 1) for (let i = 0; i < w.length; i++) w[i] = w[i]! * factor;
        return w;
      },
    });
  }
  return out;
}
