import { RandomError } from './errors.js';

/** The largest seed: PIA's example seeds go past 2^63, so seeds are unsigned 64-bit. */
export const MAX_SEED = (1n << 64n) - 1n;

/** A seed as the user gave it: a bigint, a safe integer, or a decimal string (for values past 2^53). */
export type Seed = bigint | number | string;

/** Validates a seed and returns it as a bigint in [0, 2^64 - 1]. */
export function parseSeed(seed: Seed): bigint {
  let value: bigint;
  if (typeof seed === 'bigint') {
    value = seed;
  } else if (typeof seed === 'number') {
    if (!Number.isSafeInteger(seed)) {
      throw new RandomError(
        'invalid_seed',
        `seed ${seed} is not a safe integer; pass seeds above 2^53 as a bigint or a decimal string`,
        { seed },
      );
    }
    value = BigInt(seed);
  } else if (/^\s*\d+\s*$/.test(seed)) {
    value = BigInt(seed.trim());
  } else {
    throw new RandomError('invalid_seed', `seed "${seed}" is not a decimal integer`, { seed });
  }
  if (value < 0n || value > MAX_SEED) {
    throw new RandomError('invalid_seed', `seed ${value} is outside [0, 2^64 - 1]`, { seed: String(value) });
  }
  return value;
}

/** The Philox key of a seed: its low and high 32-bit words. */
export function seedToKey(seed: Seed): [number, number] {
  const value = parseSeed(seed);
  return [Number(value & 0xffffffffn), Number(value >> 32n)];
}
