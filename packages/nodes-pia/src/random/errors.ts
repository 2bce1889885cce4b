import { PiaError } from '../errors.js';

/** What was wrong with a random-number request. */
export type RandomErrorCode = 'invalid_seed' | 'invalid_length' | 'invalid_offset';

/** A bad seed, length or stream offset. */
export class RandomError extends PiaError<RandomErrorCode> {
  override readonly name = 'RandomError';

  constructor(code: RandomErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(code, message, details);
  }
}
