/**
 * The ComfyUI reference numbers (../shared/data/k-samplers, produced by running ComfyUI v0.8.0's own code;
 * see that folder's README). The repo root is four levels above this file.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const DATA = fileURLToPath(new URL('../../../../../shared/data/k-samplers/expected.json', import.meta.url));

export interface ReferenceCase {
  id: string;
  sampler_name: string;
  scheduler: string;
  steps: number;
  cfg: number;
  seed: number;
  denoise?: number;
  latent?: string;
  add_noise?: boolean;
  start_step?: number;
  last_step?: number;
  force_full_denoise?: boolean;
  sigmas: number[];
  x_init?: number[];
  x_init_mean: number;
  x_final?: number[];
  x_final_mean: number;
  samples?: number[];
  nfe: number;
  model_call_sigmas: number[];
  model_call_t: number[];
  model_call_batch: number;
  steps_log: [number, number, number][];
  noise_draws: number;
  noise_draw_sigmas?: [number, number][];
  f64_shadow_max_abs_diff_x_final?: number;
  brownian_substituted?: boolean;
  note?: string;
}

export interface ReferenceData {
  model_sampling: {
    sigmas: number[];
    log_sigmas: number[];
    sigma_min: number;
    sigma_max: number;
    timestep_of_sigma: { sigma_f32: number; t: number }[];
    sigma_of_timestep: { t: number; sigma: number }[];
    percent_to_sigma: { percent: number; sigma: number }[];
  };
  schedulers: { names: string[]; sigmas: Record<string, Record<string, (number | null)[]>> };
  ksampler_sigmas: { cases: { scheduler: string; sampler: string; steps: number; denoise: number; sigmas: number[] }[] };
  ksampler_advanced_sigmas: {
    cases: {
      scheduler: string;
      sampler: string;
      steps: number;
      start_at_step: number;
      end_at_step: number;
      force_full_denoise: boolean;
      sigmas: number[] | null;
    }[];
  };
  noise: { seed: number; shape: number[]; initial_noise: number[]; sampler_noise_first_draws: number[][] };
  img2img_latent: { values: number[] };
  cases: ReferenceCase[];
}

export const REF = JSON.parse(readFileSync(DATA, 'utf8')) as ReferenceData;

/** |a - b| <= rel·|b| for every element, reporting the first offender. */
export function maxRelativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i]!;
    const a = actual[i]!;
    if (a === e) continue;
    worst = Math.max(worst, Math.abs(a - e) / Math.abs(e));
  }
  return worst;
}

export function maxAbsError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
  return worst;
}
