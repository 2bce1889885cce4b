/**
 * AnimateDiff-Evolved's `beta_schedule` choices and the model sampling (sigmas) each gives. AnimateDiff was trained on
 * `sqrt_linear` betas (a plain linspace of 0.00085 → 0.012; ComfyUI's `linear` is the square of a linspace of roots,
 * SD 1.5's), so ADE swaps the MODEL's sigmas when a motion model is applied; `autoselect` picks the motion model's.
 * The `lcm` schedules are ComfyUI's distilled LCM sampling (`ModelSamplingDiscreteDistilled` with LCM's prediction)
 * over `linear` betas (`lcm`: 50 original timesteps, `lcm[100_ots]`: 100), over `sqrt_linear` (`lcm >> sqrt_linear`),
 * or `lcm` with its sigmas averaged with those of `lcm >> sqrt_linear` (`lcm avg(sqrt_linear,linear)`).
 */
import { ModelSamplingDiscrete, ModelSamplingDiscreteDistilled, type BetaScheduleName } from '../samplers/model-sampling.js';
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

export function isBetaSchedule(name: unknown): name is BetaScheduleAlias {
  return typeof name === 'string' && (BETA_SCHEDULES as readonly string[]).includes(name);
}

/** Why a schedule cannot be used, or undefined when it can (every schedule ADE offers can be, LCM ones included). */
export function unsupportedBetaSchedule(_name: BetaScheduleAlias): string | undefined {
  return undefined;
}

/** The distilled LCM schedules: their betas and original timesteps. */
const LCM: Partial<Record<ConcreteBetaSchedule, { schedule: BetaScheduleName; originalTimesteps: number }>> = {
  lcm: { schedule: 'linear', originalTimesteps: 50 },
  'lcm[100_ots]': { schedule: 'linear', originalTimesteps: 100 },
  'lcm >> sqrt_linear': { schedule: 'sqrt_linear', originalTimesteps: 50 },
};

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
  const lcm = LCM[name];
  if (lcm) return new ModelSamplingDiscreteDistilled(ModelSamplingDiscrete.fromSchedule({ betaSchedule: lcm.schedule }), lcm.originalTimesteps);
  if (name === 'lcm avg(sqrt_linear,linear)') {
    // ADE averages the two distilled schedules' float32 sigmas into the `lcm` one (its timestep mapping kept).
    const a = betaScheduleSampling('lcm').sigmas;
    const b = betaScheduleSampling('lcm >> sqrt_linear').sigmas;
    return new ModelSamplingDiscreteDistilled(ModelSamplingDiscrete.fromSchedule(), 50, Float32Array.from(a, (s, i) => Math.fround((s + b[i]!) / 2)));
  }
  if (name === 'avg(sqrt_linear,linear)') {
    // ADE averages the two schedules' float32 sigmas.
    const a = betaScheduleSampling('linear (HotshotXL/default)').sigmas;
    const b = betaScheduleSampling('sqrt_linear (AnimateDiff)').sigmas;
    return new ModelSamplingDiscrete(Float32Array.from(a, (s, i) => Math.fround((s + b[i]!) / 2)));
  }
  const raw = RAW[name]!;
  return ModelSamplingDiscrete.fromSchedule({ betaSchedule: raw.schedule, ...(raw.linearEnd !== undefined ? { linearEnd: raw.linearEnd } : {}) });
}
