/**
 * Seeded standard-normal noise: Philox 4x32-10 blocks turned into Gaussians by Box–Muller, laid out like
 * cuRAND's `curand_normal4` (u = x·2⁻³² + 2⁻³³, θ = 2π(y·2⁻³² + 2⁻³³), outputs r·sin θ, r·cos θ). Element i is
 * lane i mod 4 of block i / 4, so a tensor drawn in one call or in chunks gives the same numbers.
 * Box–Muller rather than a ziggurat: four normals per block at a fixed cost, no rejection loop, and so no
 * data-dependent consumption of the stream. The maths runs in float64 (V8's `Math.log/sin/cos` are the fdlibm
 * port, the same on every machine) and each value is rounded once to float32.
 */
import { RandomError } from './errors.js';
import { philox4x32 } from './philox.js';
import { seedToKey, type Seed } from './seed.js';

const TWO_POW_M32 = 2 ** -32;
const TWO_POW_M33 = 2 ** -33;
const TWO_PI = 2 * Math.PI;
/** Counter words are 32-bit; blocks past 2^53 would lose integer precision in a JS number. */
const MAX_BLOCK = Number.MAX_SAFE_INTEGER;

function checkCount(name: 'length' | 'offset', value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RandomError(
      name === 'length' ? 'invalid_length' : 'invalid_offset',
      `${name} must be a non-negative integer, got ${value}`,
      { [name]: value },
    );
  }
}

/** Box–Muller on one Philox block: four N(0, 1) values from two pairs of uint32. */
export function boxMuller4(block: Uint32Array, out: Float64Array): void {
  for (let pair = 0; pair < 2; pair++) {
    const u = block[2 * pair]! * TWO_POW_M32 + TWO_POW_M33;
    const theta = TWO_PI * (block[2 * pair + 1]! * TWO_POW_M32 + TWO_POW_M33);
    const r = Math.sqrt(-2 * Math.log(u));
    out[2 * pair] = r * Math.sin(theta);
    out[2 * pair + 1] = r * Math.cos(theta);
  }
}

/**
 * Fills `out` with the standard normals at stream positions `offset … offset + out.length - 1` of `seed`.
 * @returns `out`
 */
export function fillNormal(out: Float32Array, seed: Seed, offset = 0): Float32Array {
  checkCount('offset', offset);
  const key = seedToKey(seed);
  const counter = new Uint32Array(4);
  const block = new Uint32Array(4);
  const normals = new Float64Array(4);
  let index = offset;
  let written = 0;
  while (written < out.length) {
    const blockIndex = Math.floor(index / 4);
    if (blockIndex > MAX_BLOCK) throw new RandomError('invalid_offset', `stream position ${index} is too large`);
    counter[0] = blockIndex >>> 0;
    counter[1] = Math.floor(blockIndex / 2 ** 32) >>> 0;
    philox4x32(counter, key, 10, block);
    boxMuller4(block, normals);
    for (let lane = index % 4; lane < 4 && written < out.length; lane++, index++) out[written++] = normals[lane]!;
  }
  return out;
}

/** `length` standard normals from `seed`, starting at stream position `offset` (default 0). */
export function randn(length: number, seed: Seed, offset = 0): Float32Array {
  checkCount('length', length);
  return fillNormal(new Float32Array(length), seed, offset);
}

/** A seeded stream of normals: each `next(n)` continues where the previous draw stopped (like a torch Generator). */
export class NormalGenerator {
  private position: number;

  constructor(
    readonly seed: Seed,
    offset = 0,
  ) {
    seedToKey(seed);
    checkCount('offset', offset);
    this.position = offset;
  }

  /** Stream position of the next value. */
  get offset(): number {
    return this.position;
  }

  /** The next `length` normals of the stream. */
  next(length: number): Float32Array {
    const out = randn(length, this.seed, this.position);
    this.position += length;
    return out;
  }
}
