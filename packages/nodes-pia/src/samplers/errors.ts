import { PiaError } from '../errors.js';

/** What was wrong with a sampling request. */
export type KSamplerErrorCode =
  | 'unknown_sampler'
  | 'unknown_scheduler'
  | 'unknown_beta_schedule'
  | 'invalid_steps'
  | 'invalid_denoise'
  | 'invalid_sigmas'
  | 'invalid_cfg'
  | 'missing_seed'
  | 'missing_model'
  | 'invalid_betas'
  | 'length_mismatch'
  | 'missing_uncond'
  | 'aborted';

/** A bad sampler/scheduler name, step count, sigma list or tensor length, or a cancelled run. */
export class KSamplerError extends PiaError<KSamplerErrorCode> {
  override readonly name = 'KSamplerError';

  constructor(code: KSamplerErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(code, message, details);
  }
}

/** The error for a name that is not in `valid`, listing the valid names. */
export function unknownName(
  code: 'unknown_sampler' | 'unknown_scheduler' | 'unknown_beta_schedule',
  input: string,
  what: string,
  valid: readonly string[],
): KSamplerError {
  return new KSamplerError(code, `unknown ${what} "${input}"; valid ${what}s: ${valid.join(', ')}`, {
    input,
    valid: [...valid],
  });
}
