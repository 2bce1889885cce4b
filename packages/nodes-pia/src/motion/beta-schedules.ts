/**
 * AnimateDiff-Evolved's `beta_schedule` choices and the model sampling (sigmas) each gives. AnimateDiff was trained on
 * `sqrt_linear` betas (a plain linspace of 0.00085 → 0.012; ComfyUI's `linear` is the square of a linspace of roots,
 * SD 1.5's), so ADE swaps the MODEL's sigmas when a motion model is applied; `autoselect` picks the motion model's.
 */
import { ModelSamplingDiscrete, type BetaScheduleName } from '../samplers/model-sampling.js';
import type { MotionModelInfo } from './motion-model.js';

/** ADE's `BetaSchedules.ALIAS_LIST`, in its order (the widget's options). */
export const BETA_SCHEDULES = [
  'autoselect',
  'use existing',
  'sqrt_linear (AnimateDiff)',
  'linear (AnimateDiff-SDXL)',
  'linear (HotshotXL/default)',
  'avg(sqrt_linear,linear)',
  'lcm avg(sqrt_linear,linear)',
  'lcm',
  'lcm[100_ots]',
  'lcm >> sqrt_linear',
  'sqrt',
  'cosine',
  'squaredcos_cap_v2',
] as const;

export type BetaScheduleAlias = (typeof BETA_SCHEDULES)[number];

/** The schedules that swap the sigmas for a given beta schedule (everything but `autoselect` and `use existing`). */
export type ConcreteBetaSchedule = Exclude<BetaScheduleAlias, 'autoselect' | 'use existing'>;

/** LCM's distilled sampling (ADE: ModelSamplingDiscreteDistilled with LCM's prediction), not implemented here. */
const LCM: readonly BetaScheduleAlias[] = ['lcm avg(sqrt_linear,linear)', 'lcm', 'lcm[100_ots]', 'lcm >> sqrt_linear'];

export function isBetaSchedule(name: unknown): name is BetaScheduleAlias {
  return typeof name === 'string' && (BETA_SCHEDULES as readonly string[]).includes(name);
}

/** Why a schedule cannot be used, or undefined when it can. */
export function unsupportedBetaSchedule(name: BetaScheduleAlias): string | undefined {
  if (LCM.includes(name)) return `"${name}" needs LCM's distilled model sampling, which piagraph does not implement yet; use "sqrt_linear (AnimateDiff)" or "autoselect"`;
  return undefined;
}

/** `autoselect` as ADE resolves it: the motion model's training schedule (SD 1.5 AnimateDiff and PIA: sqrt_linear). */
export function resolveBetaSchedule(name: BetaScheduleAlias, motion: MotionModelInfo | undefined): ConcreteBetaSchedule | undefined {
  if (name === 'use existing') return undefined;
  if (name === 'autoselect') return motion ? 'sqrt_linear (AnimateDiff)' : undefined;
  return name;
}

const RAW: Partial<Record<ConcreteBetaSchedule, { schedule: BetaScheduleName; linearEnd?: number }>> = {
  'sqrt_linear (AnimateDiff)': { schedule: 'sqrt_linear' },
  'linear (AnimateDiff-SDXL)': { schedule: 'linear', linearEnd: 0.02 },
  'linear (HotshotXL/default)': { schedule: 'linear' },
  sqrt: { schedule: 'sqrt' },
  cosine: { schedule: 'cosine' },
  squaredcos_cap_v2: { schedule: 'squaredcos_cap_v2' },
};

/** The model sampling of a concrete schedule (SD 1.5's 1000 steps, 0.00085 → 0.012 unless the alias says otherwise). */
export function betaScheduleSampling(name: ConcreteBetaSchedule): ModelSamplingDiscrete {
  const why = unsupportedBetaSchedule(name);
  if (why) throw new RangeError(why);
  if (name === 'avg(sqrt_linear,linear)') {
    // ADE averages the two schedules' float32 sigmas.
    const a = betaScheduleSampling('linear (HotshotXL/default)').sigmas;
    const b = betaScheduleSampling('sqrt_linear (AnimateDiff)').sigmas;
    return new ModelSamplingDiscrete(Float32Array.from(a, (s, i) => Math.fround((s + b[i]!) / 2)));
  }
  const raw = RAW[name]!;
  return ModelSamplingDiscrete.fromSchedule({ betaSchedule: raw.schedule, ...(raw.linearEnd !== undefined ? { linearEnd: raw.linearEnd } : {}) });
}
