/** Motion-model and motion-LoRA files as ADE's nodes pick them: cache fingerprints and recognised values. */
import { join } from 'node:path';
import { CheckpointError } from '../../checkpoints/errors.js';
import { motionModelInfo } from '../../motion/bind.js';
import { PipelineError } from '../../pipeline/errors.js';
import { fileStamp } from '../../pipeline/model-folders.js';
import type { PackContext } from '../pack-context.js';
import type { MotionModelValue } from './values.js';

/** The file stamp of a motion model (either folder), so a replaced file re-runs its loader; demo files are written first. */
export async function motionModelFingerprint(pack: PackContext, name: unknown): Promise<string> {
  const n = String(name);
  await pack.prepareModels('animatediff_models', n);
  await pack.prepareModels('pia', n);
  const primary = fileStamp(join(pack.settings.modelsDir, 'animatediff_models', n));
  return primary !== 'missing' ? primary : `pia:${fileStamp(join(pack.settings.modelsDir, 'pia', n))}`;
}

/** The motion model called `name`, opened and recognised (a file of another kind fails here, naming what it is). */
export async function loadMotionModel(pack: PackContext, name: string, input = 'model_name'): Promise<MotionModelValue> {
  const file = await pack.store.motionModelFile(name, input);
  try {
    return { kind: 'motion-model', file, info: await motionModelInfo(file.path) };
  } catch (err) {
    if (err instanceof CheckpointError) throw new PipelineError('bad-option', `${input} "${name}": ${err.message}`, { code: err.code, ...err.details }, input);
    throw err;
  }
}
