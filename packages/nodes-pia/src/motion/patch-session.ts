/**
 * Opening what a motion application's weight patches need (the motion-model file and its motion LoRAs) for as long as
 * a session is being created from the patched tensors, and closing them after.
 */
import type { ModelWeights } from '../models/tensors.js';
import type { MotionApplication } from '../pipeline/recipes.js';
import { openMotionModel } from './bind.js';
import { openMotionLora, type MotionLoraFile } from './motion-lora.js';
import { isIdentityPatch, motionPatchTensors } from './patches.js';

/** Calls `open` with the replaced tensors of `motion`'s patches (none for an unpatched motion model). */
export async function withMotionPatch<T>(motion: MotionApplication, open: (replaced: ModelWeights) => Promise<T>): Promise<T> {
  const base = { loras: [], scale: motion.scale, effect: motion.effect };
  if (motion.loras.length === 0 && isIdentityPatch(base)) return open(new Map());
  const file = await openMotionModel(motion.file.path);
  const loras: MotionLoraFile[] = [];
  try {
    for (const l of motion.loras) loras.push(await openMotionLora(l.file.path, file.config, file.info.midBlock));
    const patch = { loras: loras.map((lora, i) => ({ lora, strength: motion.loras[i]!.strength })), scale: motion.scale, effect: motion.effect };
    return await open(motionPatchTensors(file, patch));
  } finally {
    await Promise.allSettled([file.close(), ...loras.map((l) => l.close())]);
  }
}
