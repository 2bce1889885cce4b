import { PiaError } from '../errors.js';

/** What was wrong with an affinity request; lets a node map the failure to the input that caused it. */
export type AffinityErrorCode =
  | 'invalid_frame_count'
  | 'invalid_cond_frame'
  | 'value_out_of_range'
  | 'empty_values'
  | 'length_mismatch'
  | 'unknown_preset';

/** A bad affinity input (frame count, condition frame, values or preset name). */
export class AffinityError extends PiaError<AffinityErrorCode> {
  override readonly name = 'AffinityError';

  constructor(code: AffinityErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(code, message, details);
  }
}
