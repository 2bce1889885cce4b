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
const TWO_POW_M24 = 2 ** -24;

/** MT19937 over a 624-word state; every operation is 32-bit integer arithmetic, so exact in JavaScript. */
export class Mt19937 {
  /** Int32 rather than Uint32 storage keeps every value a small integer for V8 (bit patterns are the same). */
  private readonly state = new Int32Array(N);
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
      s[j] = Math.imul(1812433253, prev ^ (prev >>> 30)) + j;
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
    let k = 0;
    for (; k < N - M; k++) {
      const y = (s[k]! & UPPER_MASK) | (s[k + 1]! & LOWER_MASK);
      s[k] = s[k + M]! ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    for (; k < N - 1; k++) {
      const y = (s[k]! & UPPER_MASK) | (s[k + 1]! & LOWER_MASK);
      s[k] = s[k + M - N]! ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    const y = (s[N - 1]! & UPPER_MASK) | (s[0]! & LOWER_MASK);
    s[N - 1] = s[M - 1]! ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    this.index = 0;
  }

  /** Fills `out` with the low 24 bits of successive outputs scaled to [0, 1) (`uniform_real_distribution<float>`). */
  fillUniform24(out: Float32Array, start = 0, end = out.length): void {
    const s = this.state;
    let i = start;
    while (i < end) {
      if (this.index >= N) this.twist();
      let index = this.index;
      const stop = Math.min(end, i + (N - index));
      for (; i < stop; i++) {
        let y = s[index++]!;
        y ^= y >>> 11;
        y ^= (y << 7) & 0x9d2c5680;
        y ^= (y << 15) & 0xefc60000;
        y ^= y >>> 18;
        out[i] = (y & 0xffffff) * TWO_POW_M24;
      }
      this.index = index;
    }
  }
}
