import { PiaError } from '../errors.js';

/** What was wrong with a scheduler call. */
export type SchedulerErrorCode =
  | 'invalid_config'
  | 'invalid_steps'
  | 'invalid_timestep'
  | 'invalid_strength'
  | 'invalid_eta'
  | 'length_mismatch'
  | 'missing_noise'
  | 'timesteps_not_set';

/** A bad scheduler configuration or call (steps, timestep, strength, tensor lengths…). */
export class SchedulerError extends PiaError<SchedulerErrorCode> {
  override readonly name = 'SchedulerError';

  constructor(code: SchedulerErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(code, message, details);
  }
}
