/**
 * ComfyUI's schedulers (`comfy.samplers.SCHEDULER_HANDLERS`): each turns a step count into a descending sigma
 * list ending in 0 (float32 values). Python floats are float64 until they meet a tensor; where ComfyUI builds a
 * float32 tensor, the values are rounded as it rounds them.
 */
import { betaPpf } from './beta-distribution.js';
import { KSamplerError, unknownName } from './errors.js';
import { f, fexp } from './f32.js';
import type { ModelSamplingDiscrete } from './model-sampling.js';
import { torchLinspace } from './torch-linspace.js';

/** ComfyUI's scheduler names, in its order (the KSampler combo widget). */
export const SCHEDULER_NAMES = [
  'simple',
  'sgm_uniform',
  'karras',
  'exponential',
  'ddim_uniform',
  'beta',
  'normal',
  'linear_quadratic',
  'kl_optimal',
] as const;
export type SchedulerName = (typeof SCHEDULER_NAMES)[number];

export function isSchedulerName(name: string): name is SchedulerName {
  return (SCHEDULER_NAMES as readonly string[]).includes(name);
}

/** Karras et al. (2022): σ spaced evenly in σ^(1/ρ), then a trailing 0. */
export function karrasSigmas(n: number, sigmaMin: number, sigmaMax: number, rho = 7): Float32Array {
  const ramp = torchLinspace(0, 1, n, 'float32');
  const minInvRho = sigmaMin ** (1 / rho);
  const maxInvRho = sigmaMax ** (1 / rho);
  const span = f(minInvRho - maxInvRho);
  const out = new Float32Array(n + 1);
  for (let i = 0; i < n; i++) out[i] = f(f(f(maxInvRho) + f(ramp[i]! * span)) ** rho);
  return out;
}

/** σ spaced evenly in log σ from σ_max to σ_min, then 0. */
export function exponentialSigmas(n: number, sigmaMin: number, sigmaMax: number): Float32Array {
  const logs = torchLinspace(Math.log(sigmaMax), Math.log(sigmaMin), n, 'float32');
  const out = new Float32Array(n + 1);
  for (let i = 0; i < n; i++) out[i] = fexp(logs[i]!);
  return out;
}

/** Every (1000/steps)-th training sigma from the top, then 0. */
export function simpleSigmas(ms: ModelSamplingDiscrete, steps: number): Float32Array {
  const n = ms.sigmas.length;
  const stride = n / steps;
  const out = new Float32Array(steps + 1);
  for (let x = 0; x < steps; x++) out[x] = ms.sigmas[n - 1 - Math.trunc(x * stride)]!;
  return out;
}

/** DDIM's uniform timesteps 1, 1 + k, 1 + 2k… (k = 1000 // steps), reversed, with 0 at the end. */
export function ddimUniformSigmas(ms: ModelSamplingDiscrete, steps: number): Float32Array {
  const sigs: number[] = [];
  let count = steps;
  const startsNearZero = Math.abs(ms.sigmas[1]!) <= 0.00001;
  if (startsNearZero) count += 1;
  else sigs.push(0);
  const stride = Math.max(Math.floor(ms.sigmas.length / count), 1);
  for (let x = 1; x < ms.sigmas.length; x += stride) sigs.push(ms.sigmas[x]!);
  return Float32Array.from(sigs.reverse());
}

/** Timesteps evenly spaced from σ_max's to σ_min's (sgm: steps + 1 points, last dropped), mapped back to σ. */
export function normalSigmas(ms: ModelSamplingDiscrete, steps: number, sgm = false): Float32Array {
  const start = ms.timestep(ms.sigmaMax);
  const end = ms.timestep(ms.sigmaMin);
  let appendZero = true;
  let timesteps: Float64Array;
  if (sgm) {
    timesteps = torchLinspace(start, end, steps + 1, 'float32').subarray(0, steps);
  } else {
    let count = steps;
    if (Math.abs(ms.sigma(end)) <= 0.00001) {
      count += 1;
      appendZero = false;
    }
    timesteps = torchLinspace(start, end, count, 'float32');
  }
  const out = new Float32Array(timesteps.length + (appendZero ? 1 : 0));
  for (let i = 0; i < timesteps.length; i++) out[i] = ms.sigma(timesteps[i]!);
  return out;
}

/** Timesteps at the quantiles of Beta(α, β) (arXiv 2407.12173), consecutive repeats dropped, then 0. */
export function betaSigmas(ms: ModelSamplingDiscrete, steps: number, alpha = 0.6, beta = 0.6): Float32Array {
  const total = ms.sigmas.length - 1;
  const sigs: number[] = [];
  let last = -1;
  for (let i = 0; i < steps; i++) {
    const t = roundHalfEven(betaPpf(1 - i * (1 / steps), alpha, beta) * total);
    if (t !== last) sigs.push(ms.sigmas[t]!);
    last = t;
  }
  sigs.push(0);
  return Float32Array.from(sigs);
}

/** Mochi's linear-then-quadratic schedule in [0, 1], scaled by σ_max as ComfyUI does for discrete models. */
export function linearQuadraticSigmas(
  ms: ModelSamplingDiscrete,
  steps: number,
  thresholdNoise = 0.025,
  linearSteps?: number,
): Float32Array {
  let schedule: number[];
  if (steps === 1) {
    schedule = [1, 0];
  } else {
    const lin = linearSteps ?? Math.floor(steps / 2);
    const linear = Array.from({ length: lin }, (_, i) => (i * thresholdNoise) / lin);
    const stepDiff = lin - thresholdNoise * steps;
    const quadSteps = steps - lin;
    const quadCoef = stepDiff / (lin * quadSteps ** 2);
    const linCoef = thresholdNoise / lin - (2 * stepDiff) / quadSteps ** 2;
    const constant = quadCoef * lin ** 2;
    const quadratic = Array.from({ length: steps - lin }, (_, k) => {
      const i = lin + k;
      return quadCoef * i ** 2 + linCoef * i + constant;
    });
    schedule = [...linear, ...quadratic, 1].map((x) => 1 - x);
  }
  const sigmaMax = ms.sigmaMax;
  return Float32Array.from(schedule, (x) => f(f(x) * sigmaMax));
}

/** The KL-optimal schedule (AUTOMATIC1111 PR 15608): tan of a linear blend of atan σ_max and atan σ_min. */
export function klOptimalSigmas(n: number, sigmaMin: number, sigmaMax: number): Float32Array {
  const atanMin = f(Math.atan(sigmaMin));
  const atanMax = f(Math.atan(sigmaMax));
  const denom = f(n - 1);
  const out = new Float32Array(n + 1);
  for (let i = 0; i < n; i++) {
    const w = f(f(i) / denom); // 0/0 = NaN when n = 1, as in ComfyUI
    out[i] = f(Math.tan(f(f(w * atanMin) + f(f(1 - w) * atanMax))));
  }
  return out;
}

/** numpy's `rint`: halves go to the even neighbour. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** ComfyUI's `calculate_sigmas(model_sampling, scheduler, steps)`. */
export function computeSigmas(ms: ModelSamplingDiscrete, scheduler: string, steps: number): Float32Array {
  if (!isSchedulerName(scheduler)) throw unknownName('unknown_scheduler', scheduler, 'scheduler', SCHEDULER_NAMES);
  if (!Number.isInteger(steps) || steps < 1 || steps > 10000) {
    throw new KSamplerError('invalid_steps', `steps must be an integer from 1 to 10000, got ${steps}`, { steps });
  }
  switch (scheduler) {
    case 'simple':
      return simpleSigmas(ms, steps);
    case 'sgm_uniform':
      return normalSigmas(ms, steps, true);
    case 'karras':
      return karrasSigmas(steps, ms.sigmaMin, ms.sigmaMax);
    case 'exponential':
      return exponentialSigmas(steps, ms.sigmaMin, ms.sigmaMax);
    case 'ddim_uniform':
      return ddimUniformSigmas(ms, steps);
    case 'beta':
      return betaSigmas(ms, steps);
    case 'normal':
      return normalSigmas(ms, steps);
    case 'linear_quadratic':
      return linearQuadraticSigmas(ms, steps);
    case 'kl_optimal':
      return klOptimalSigmas(steps, ms.sigmaMin, ms.sigmaMax);
  }
}
