/**
 * Applying motion models, a beta schedule, context options and sample settings to a MODEL recipe, as
 * AnimateDiff-Evolved's loaders and `ADE_UseEvolvedSampling` attach them to a ModelPatcher. Everything is checked
 * here, so a wrong motion model, motion LoRA or schedule fails at the node that chose it.
 */
import { motionLabel } from '../../motion/motion-model.js';
import { adeFrameNorms } from '../../motion/motion-model.js';
import { isBetaSchedule, resolveBetaSchedule, unsupportedBetaSchedule } from '../../motion/beta-schedules.js';
import { openMotionLora } from '../../motion/motion-lora.js';
import type { MultivalValue, SampleSettingsValue } from '../../motion/settings.js';
import { modelConfigs } from '../../models/config.js';
import { PipelineError } from '../../pipeline/errors.js';
import type { MotionApplication } from '../../pipeline/recipes.js';
import type { ContextOptionsValue } from '../../samplers/context/options.js';
import type { ModelValue } from '../socket-values.js';
import type { AppliedMotionModel, MotionModelsValue } from './values.js';

/** A multival as the one number piagraph's motion patches take (ADE also allows masks; those are refused by name). */
export function scalarMultival(m: MultivalValue | undefined, input: string): number {
  if (!m) return 1;
  if (m.mask) throw new PipelineError('unsupported', `${input} carries a mask; piagraph applies scale and effect multivals as one number only`, {}, input);
  if (!Number.isFinite(m.value) || m.value < 0) throw new PipelineError('bad-option', `${input} must be a number ≥ 0, got ${m.value}`, {}, input);
  return m.value;
}

/** The one motion model of an M_MODELS list (piagraph runs one per MODEL). */
export function singleMotionModel(models: MotionModelsValue | undefined, input: string): AppliedMotionModel | undefined {
  if (!models || models.length === 0) return undefined;
  if (models.length > 1) {
    throw new PipelineError('unsupported', `${input} holds ${models.length} motion models; piagraph applies one motion model per MODEL`, { count: models.length }, input);
  }
  return models[0];
}

/** The motion application of an applied motion model on `model`, its motion LoRAs opened and checked. */
async function motionApplication(model: ModelValue, applied: AppliedMotionModel, input: string, applyV2Properly: boolean): Promise<MotionApplication> {
  const { info, file } = applied.model;
  if (info.configName !== model.config.name) {
    const mm = modelConfigs[info.configName]!;
    throw new PipelineError(
      'shape-mismatch',
      `the ${motionLabel(info)} motion model "${file.name}" fits ${mm.name} U-Nets (widths [${mm.unet.blockOutChannels.join(', ')}]) but the MODEL's checkpoint "${model.checkpoint.name}" is ${model.config.name} ([${model.config.unet.blockOutChannels.join(', ')}])`,
      {},
      input,
    );
  }
  for (const l of applied.loras) {
    try {
      await (await openMotionLora(l.file.path, model.config, info.midBlock)).close();
    } catch (err) {
      throw new PipelineError('bad-option', `motion LoRA "${l.file.name}": ${(err as Error).message}`, {}, 'motion_lora');
    }
  }
  return {
    file,
    info,
    norms: adeFrameNorms(info, applyV2Properly),
    loras: applied.loras,
    scale: scalarMultival(applied.scale, 'scale_multival'),
    effect: scalarMultival(applied.effect, 'effect_multival'),
    startPercent: applied.startPercent,
    endPercent: applied.endPercent,
    ...(applied.pia ? { pia: applied.pia } : {}),
  };
}

/** What a loader attaches besides the motion model. */
export interface AttachOptions {
  readonly betaSchedule: string;
  readonly context?: ContextOptionsValue;
  readonly sampleSettings?: SampleSettingsValue;
  /** ADE's `apply_v2_models_properly` (default true): v2 with per-frame GroupNorms. */
  readonly applyV2Properly?: boolean;
  /** The input that gave the motion model, for errors. */
  readonly motionInput: string;
}

/** `model` with `applied` (or no motion model) and the options attached, as a new recipe. */
export async function attachMotion(model: ModelValue, applied: AppliedMotionModel | undefined, options: AttachOptions): Promise<ModelValue> {
  if (model.pia) {
    throw new PipelineError('bad-option', "this MODEL carries piagraph's PIA modules (Load Checkpoint (PIA)); AnimateDiff-Evolved's nodes take a plain checkpoint's MODEL", {}, 'model');
  }
  const name = options.betaSchedule;
  if (!isBetaSchedule(name)) throw new PipelineError('bad-option', `unknown beta_schedule "${name}"`, {}, 'beta_schedule');
  const why = unsupportedBetaSchedule(name);
  if (why) throw new PipelineError('unsupported', why, {}, 'beta_schedule');
  const motion = applied ? await motionApplication(model, applied, options.motionInput, options.applyV2Properly ?? true) : undefined;
  const betaSchedule = name === 'use existing' ? model.betaSchedule : resolveBetaSchedule(name, motion?.info);
  const { motion: _m, context: _c, sampleSettings: _s, betaSchedule: _b, ...base } = model;
  return {
    ...base,
    ...(motion ? { motion } : {}),
    ...(betaSchedule ? { betaSchedule } : {}),
    ...(options.context ? { context: options.context } : {}),
    ...(options.sampleSettings ? { sampleSettings: options.sampleSettings } : {}),
  };
}

/** Validation of the `beta_schedule` widget: unknown and unimplemented schedules fail before anything runs. */
export function validateBetaSchedule(literals: Readonly<Record<string, unknown>>) {
  const name = literals['beta_schedule'];
  if (name === undefined) return [];
  if (!isBetaSchedule(name)) return [{ input: 'beta_schedule', message: `unknown beta_schedule "${String(name)}"` }];
  const why = unsupportedBetaSchedule(name);
  return why ? [{ input: 'beta_schedule', message: why }] : [];
}
