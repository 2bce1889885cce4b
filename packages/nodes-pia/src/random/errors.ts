/** What was wrong with a random-number request. */
export type RandomErrorCode = 'invalid_seed' | 'invalid_length' | 'invalid_offset';

/** A bad seed, length or stream offset. */
export class RandomError extends Error {
  override readonly name = 'RandomError';

  constructor(
    readonly code: RandomErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}
