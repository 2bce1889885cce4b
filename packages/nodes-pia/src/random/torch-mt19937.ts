/**
 * The Mersenne Twister MT19937 as PyTorch's CPU generator runs it (`at::mt19937`): the standard 32-bit
 * generator (Matsumoto & Nishimura 1998) seeded with the low 32 bits of the 64-bit seed. Only the low word
 * reaches the state, so seeds that differ above bit 31 give the same stream, as they do in PyTorch.
 */

const N = 624;
const M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;

/** MT19937 over a `Uint32Array` state; every operation is 32-bit integer arithmetic, so exact in JavaScript. */
export class Mt19937 {
  private readonly state = new Uint32Array(N);
  private index = N;

  constructor(seed: bigint) {
    this.seed(seed);
  }

  /** Re-seeds from the low 32 bits of `seed` (the Knuth initialisation of the reference implementation). */
  seed(seed: bigint): void {
    const s = this.state;
    s[0] = Number(BigInt.asUintN(32, seed));
    for (let j = 1; j < N; j++) {
      const prev = s[j - 1]!;
      s[j] = (Math.imul(1812433253, prev ^ (prev >>> 30)) + j) >>> 0;
    }
    this.index = N;
  }

  /** The next 32-bit output, tempered. */
  nextUint32(): number {
    if (this.index >= N) this.twist();
    let y = this.state[this.index++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  private twist(): void {
    const s = this.state;
    for (let k = 0; k < N; k++) {
      const y = (s[k]! & UPPER_MASK) | (s[(k + 1) % N]! & LOWER_MASK);
      s[k] = s[(k + M) % N]! ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    this.index = 0;
  }
}
