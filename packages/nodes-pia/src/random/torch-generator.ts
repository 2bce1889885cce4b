/**
 * PyTorch's CPU random generator (`torch.Generator('cpu')`, `CPUGeneratorImpl`) and the draws ComfyUI makes
 * from it: `torch.randn` in float32 and float64 and `torch.rand` in float32, bit-exact with PyTorch on x86-64
 * (checked against PyTorch 1.13). Several draws from one generator continue one stream, as in PyTorch.
 *
 * How ATen fills a normal tensor on the CPU:
 * - 16 values or more (contiguous): one uniform per element, then Box–Muller on blocks of 16 (element j and
 *   j + 8 of a block make one pair). When the size is not a multiple of 16, the last 16 elements are drawn
 *   again and transformed as one more block, overwriting normals already written there.
 * - fewer than 16: one `normal_distribution<double>` per element from two 53-bit uniforms; each pair gives
 *   two normals, the second kept in the generator and returned by the next scalar draw, even a later call's.
 */
import { RandomError } from './errors.js';
import { parseSeed, type Seed } from './seed.js';
import { logfAvx, sincosfAvx, sincosOut } from './torch-mathfun.js';
import { Mt19937 } from './torch-mt19937.js';

const TWO_POW_M24 = 2 ** -24;
const TWO_POW_M53 = 2 ** -53;
const TWO_POW_32 = 2 ** 32;
const TWO_PI_F32 = Math.fround(2 * Math.PI);
/** Below this size (or for non-contiguous tensors, which never occur here) ATen uses the scalar path. */
const VECTOR_MIN = 16;

/** A tensor shape or an element count; returns the element count, validated. */
export function shapeSize(shape: number | readonly number[]): number {
  const dims = typeof shape === 'number' ? [shape] : shape;
  let size = 1;
  for (const d of dims) {
    if (!Number.isSafeInteger(d) || d < 0) {
      throw new RandomError('invalid_length', `shape [${dims.join(', ')}] has a dimension that is not a non-negative integer`, {
        shape: [...dims],
      });
    }
    size *= d;
  }
  if (!Number.isSafeInteger(size) || size > 2 ** 31) {
    throw new RandomError('invalid_length', `shape [${dims.join(', ')}] has too many elements (${size})`, { shape: [...dims] });
  }
  return size;
}

/** `torch.Generator('cpu')`: an MT19937 stream plus the cached second normal of the scalar path. */
export class TorchCpuGenerator {
  private readonly engine: Mt19937;
  private cachedNormal: number | undefined;
  private currentSeed: bigint;

  /** A generator after `manual_seed(seed)`; PyTorch's default generator starts from seed 67280421310721. */
  constructor(seed: Seed = 67280421310721n) {
    this.currentSeed = parseSeed(seed);
    this.engine = new Mt19937(this.currentSeed);
  }

  /** `manual_seed`: restarts the stream and forgets the cached normal. */
  manualSeed(seed: Seed): this {
    this.currentSeed = parseSeed(seed);
    this.engine.seed(this.currentSeed);
    this.cachedNormal = undefined;
    return this;
  }

  /** The seed last set (`initial_seed()`). */
  initialSeed(): bigint {
    return this.currentSeed;
  }

  /** One raw 32-bit output (`random()`). */
  random32(): number {
    return this.engine.nextUint32();
  }

  /** A float32 uniform in [0, 1): the low 24 bits of one output, as `uniform_real_distribution<float>`. */
  uniformFloat(): number {
    return (this.engine.nextUint32() & 0xffffff) * TWO_POW_M24;
  }

  /** A float64 uniform in [0, 1): the low 53 bits of `random64()` = (first output << 32) | second output. */
  uniformDouble(): number {
    const hi = this.engine.nextUint32() & 0x1fffff;
    const lo = this.engine.nextUint32();
    return (hi * TWO_POW_32 + lo) * TWO_POW_M53;
  }

  /** `normal_distribution<double>` (mean 0, std 1), with its cached second value. */
  normalDouble(): number {
    if (this.cachedNormal !== undefined) {
      const cached = this.cachedNormal;
      this.cachedNormal = undefined;
      return cached;
    }
    const u1 = this.uniformDouble();
    const u2 = this.uniformDouble();
    const r = Math.sqrt(-2 * Math.log(1 - u2));
    const theta = 2 * Math.PI * u1;
    this.cachedNormal = r * Math.sin(theta);
    return r * Math.cos(theta);
  }

  /** `torch.randn(shape, dtype=torch.float32, generator=this)`, row-major. */
  randn(shape: number | readonly number[]): Float32Array {
    return this.fillRandn(new Float32Array(shapeSize(shape)));
  }

  /** Fills `out` as `torch.randn` of `out.length` float32 values would. */
  fillRandn(out: Float32Array): Float32Array {
    const size = out.length;
    if (size < VECTOR_MIN) {
      for (let i = 0; i < size; i++) out[i] = this.normalDouble();
      return out;
    }
    this.engine.fillUniform24(out);
    for (let i = 0; i + VECTOR_MIN <= size; i += VECTOR_MIN) boxMuller16Float(out, i);
    if (size % VECTOR_MIN !== 0) {
      const start = size - VECTOR_MIN;
      this.engine.fillUniform24(out, start, size);
      boxMuller16Float(out, start);
    }
    return out;
  }

  /** `torch.randn(shape, dtype=torch.float64, generator=this)`. */
  randnFloat64(shape: number | readonly number[]): Float64Array {
    const size = shapeSize(shape);
    const out = new Float64Array(size);
    if (size < VECTOR_MIN) {
      for (let i = 0; i < size; i++) out[i] = this.normalDouble();
      return out;
    }
    for (let i = 0; i < size; i++) out[i] = this.uniformDouble();
    for (let i = 0; i + VECTOR_MIN <= size; i += VECTOR_MIN) boxMuller16Double(out, i);
    if (size % VECTOR_MIN !== 0) {
      const start = size - VECTOR_MIN;
      for (let i = start; i < size; i++) out[i] = this.uniformDouble();
      boxMuller16Double(out, start);
    }
    return out;
  }

  /** `torch.rand(shape, dtype=torch.float32, generator=this)`: uniforms in [0, 1). */
  rand(shape: number | readonly number[]): Float32Array {
    const out = new Float32Array(shapeSize(shape));
    this.engine.fillUniform24(out);
    return out;
  }
}

/** One block of 16 float32 uniforms → 16 normals, as the AVX2 kernel does (std 1, mean 0). */
function boxMuller16Float(data: Float32Array, offset: number): void {
  const f = Math.fround;
  for (let j = offset; j < offset + 8; j++) {
    const u1 = f(1 - data[j]!); // (0, 1] for the log
    const radius = f(Math.sqrt(f(-2 * logfAvx(u1))));
    sincosfAvx(f(TWO_PI_F32 * data[j + 8]!));
    data[j] = f(radius * sincosOut[1]!);
    data[j + 8] = f(radius * sincosOut[0]!);
  }
}

/** The same block in float64 (the scalar C++ kernel with the C library's log, cos and sin). */
function boxMuller16Double(data: Float64Array, offset: number): void {
  for (let j = offset; j < offset + 8; j++) {
    const radius = Math.sqrt(-2 * Math.log(1 - data[j]!));
    const theta = 2 * Math.PI * data[j + 8]!;
    data[j] = radius * Math.cos(theta);
    data[j + 8] = radius * Math.sin(theta);
  }
}

/** `torch.randn(shape, generator=torch.Generator('cpu').manual_seed(seed))` in float32. */
export function torchRandn(shape: number | readonly number[], seed: Seed): Float32Array {
  return new TorchCpuGenerator(seed).randn(shape);
}
