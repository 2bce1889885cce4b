/**
 * A layer's LoRA update as matrix products: `ΔW = Σ strength · scale · up · down` (low-rank; Tucker cores folded
 * into `down`), or `strength · scale · (w1a · w1b) ⊙ (w2a · w2b)` (LoHa). All maths on `[rows, cols]` matrices
 * where `cols` flattens input features and kernel, so linear and conv layers are one case.
 */
import { convertTensor } from '../weights/tensor-convert.js';
import type { LoraFactor, LoraLayer } from './open-lora.js';

/** `left · right` with `left [rows, rank]` and `right [rank, cols]`, row-major float32. */
export interface LowRankProduct {
  readonly rows: number;
  readonly cols: number;
  readonly rank: number;
  readonly left: Float32Array;
  readonly right: Float32Array;
}

/** One additive term of a layer's update. */
export type DeltaTerm =
  | { readonly kind: 'low-rank'; readonly product: LowRankProduct }
  | { readonly kind: 'hadamard'; readonly a: LowRankProduct; readonly b: LowRankProduct };

/** A factor as float32 values (fp16/bf16 widened exactly). */
export function factorValues(f: LoraFactor, file: string): Float32Array {
  return convertTensor(f.raw, f.dtype, 'f32', { file, tensor: f.key });
}

function scaled(values: Float32Array, by: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = values[i]! * by;
  return out;
}

/**
 * A LyCORIS Tucker core folded into the down factor: `down' [a, c·kh·kw] = Σ_b mid[a, b, ·, ·] · down[b, c]`, so that
 * `up · down'` is the conv kernel update of the chain down (1×1) → mid (kh×kw) → up (1×1).
 */
export function foldTuckerCore(mid: Float32Array, midShape: readonly number[], down: Float32Array, inChannels: number): Float32Array {
  const [r = 0, , kh = 1, kw = 1] = midShape;
  const k = kh * kw;
  const out = new Float32Array(r * inChannels * k);
  for (let a = 0; a < r; a++) {
    for (let b = 0; b < r; b++) {
      const m = (a * r + b) * k;
      for (let c = 0; c < inChannels; c++) {
        const d = down[b * inChannels + c]!;
        if (d === 0) continue;
        const o = (a * inChannels + c) * k;
        for (let j = 0; j < k; j++) out[o + j]! += mid[m + j]! * d;
      }
    }
  }
  return out;
}

/** The term `strength · layer.scale · update` of one LoRA layer, in the layer's canonical orientation. */
export function layerTerm(layer: LoraLayer, strength: number, file: string): DeltaTerm {
  const factor = strength * layer.scale;
  const u = layer.update;
  if (u.kind === 'hadamard') {
    const product = (a: LoraFactor, b: LoraFactor, by: number): LowRankProduct => ({
      rows: layer.rows,
      cols: layer.cols,
      rank: b.shape[0]!,
      left: by === 1 ? factorValues(a, file) : scaled(factorValues(a, file), by),
      right: factorValues(b, file),
    });
    return { kind: 'hadamard', a: product(u.w1a, u.w1b, factor), b: product(u.w2a, u.w2b, 1) };
  }
  const down = factorValues(u.down, file);
  const right = u.mid ? foldTuckerCore(factorValues(u.mid, file), u.mid.shape, down, u.down.shape[1]!) : down;
  return { kind: 'low-rank', product: { rows: layer.rows, cols: layer.cols, rank: layer.rank, left: scaled(factorValues(u.up, file), factor), right } };
}

/** A row-major `[rows, cols]` matrix transposed. */
export function transposeMatrix(m: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(m.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = m[r * cols + c]!;
  return out;
}

/** `(left · right)ᵀ = rightᵀ · leftᵀ`: the product for a weight stored transposed (`[in, out]` for MatMul). */
export function transposeProduct(p: LowRankProduct): LowRankProduct {
  return {
    rows: p.cols,
    cols: p.rows,
    rank: p.rank,
    left: transposeMatrix(p.right, p.rank, p.cols),
    right: transposeMatrix(p.left, p.rows, p.rank),
  };
}

/** The product widened to `cols` columns with zeros on the right (a conv_in update covering the first channels only). */
export function padColumns(p: LowRankProduct, cols: number): LowRankProduct {
  if (cols === p.cols) return p;
  const right = new Float32Array(p.rank * cols);
  for (let r = 0; r < p.rank; r++) right.set(p.right.subarray(r * p.cols, (r + 1) * p.cols), r * cols);
  return { ...p, cols, right };
}

/** Several low-rank products of one shape as one: `Σ Lᵢ·Rᵢ = [L₁ … Lₙ] · [R₁; …; Rₙ]`. */
export function concatProducts(products: readonly LowRankProduct[]): LowRankProduct | undefined {
  const first = products[0];
  if (!first) return undefined;
  if (products.length === 1) return first;
  const rank = products.reduce((n, p) => n + p.rank, 0);
  const left = new Float32Array(first.rows * rank);
  const right = new Float32Array(rank * first.cols);
  let at = 0;
  for (const p of products) {
    for (let r = 0; r < first.rows; r++) left.set(p.left.subarray(r * p.rank, (r + 1) * p.rank), r * rank + at);
    right.set(p.right, at * first.cols);
    at += p.rank;
  }
  return { rows: first.rows, cols: first.cols, rank, left, right };
}

/** A term for a weight of `[rows, cols]` stored as the layer's transpose, or widened (conv_in), as `to` says. */
export function orientTerm(term: DeltaTerm, to: { transposed: boolean; cols: number }): DeltaTerm {
  const fit = (p: LowRankProduct) => (to.transposed ? transposeProduct(p) : padColumns(p, to.cols));
  return term.kind === 'low-rank' ? { kind: 'low-rank', product: fit(term.product) } : { kind: 'hadamard', a: fit(term.a), b: fit(term.b) };
}
