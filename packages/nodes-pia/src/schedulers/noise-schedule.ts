/**
 * The training noise schedule (betas and ᾱ) in float32, computed the way numpy does so that the numbers
 * match the reference values to float32 precision.
 */
import { SchedulerError } from './errors.js';
import type { NoiseScheduleConfig } from './types.js';

/**
 * numpy's `linspace(start, stop, num)` cast to float32: each value is `start + i·step` in float64,
 * the last one set to `stop`, then rounded to float32.
 */
export function linspaceFloat32(start: number, stop: number, num: number): Float32Array {
  const out = new Float32Array(num);
  const step = num > 1 ? (stop - start) / (num - 1) : 0;
  for (let i = 0; i < num; i++) out[i] = i * step + start;
  if (num > 1) out[num - 1] = stop;
  return out;
}

/** The betas of a schedule: `linear` is a float32 linspace; `scaled_linear` squares a linspace of √β (SD's). */
export function betasFor(config: NoiseScheduleConfig): Float32Array {
  const { numTrainTimesteps: n, betaStart, betaEnd, betaSchedule } = config;
  if (!Number.isInteger(n) || n < 1) {
    throw new SchedulerError('invalid_config', `numTrainTimesteps must be a positive integer, got ${n}`, { n });
  }
  if (!(betaStart > 0 && betaEnd < 1 && betaStart <= betaEnd)) {
    throw new SchedulerError(
      'invalid_config',
      `betas must satisfy 0 < betaStart <= betaEnd < 1, got ${betaStart} and ${betaEnd}`,
      { betaStart, betaEnd },
    );
  }
  if (betaSchedule === 'linear') return linspaceFloat32(betaStart, betaEnd, n);
  if (betaSchedule === 'scaled_linear') {
    const roots = linspaceFloat32(Math.sqrt(betaStart), Math.sqrt(betaEnd), n);
    return roots.map((r) => r * r);
  }
  throw new SchedulerError('invalid_config', `unknown betaSchedule "${String(betaSchedule)}"`, { betaSchedule });
}

/**
 * ᾱ_t = ∏_{s≤t} (1 - β_s), accumulated in float32 like numpy's `cumprod` on a float32 array (the reference
 * values in pia-model.md §4; torch accumulates in double on the CPU, which differs by under 4e-7).
 * Each product of two float32 values is exact in float64, so rounding it once reproduces float32 arithmetic.
 */
export function alphasCumprod(betas: Float32Array): Float32Array {
  const out = new Float32Array(betas.length);
  let acc = 1;
  for (let i = 0; i < betas.length; i++) {
    acc = Math.fround(acc * Math.fround(1 - betas[i]!));
    out[i] = acc;
  }
  return out;
}
