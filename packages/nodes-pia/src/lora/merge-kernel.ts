/**
 * `W + Σ terms` computed by onnxruntime: the products are full-size matrices (`[10240, 1280]` for an SD 1.5
 * feed-forward layer) and a rank-32 LoRA on the whole U-Net is some 16 GFLOP, which onnxruntime's GEMM does in a
 * fraction of the time plain JavaScript loops take. Four tiny graphs (low-rank or LoHa, float32 or float16 weights)
 * are built once per process; fp16 weights are widened, updated in float32 and rounded back, as ComfyUI does.
 */
import * as ort from 'onnxruntime-node';
import { GraphBuilder } from '../onnx/graph-builder.js';
import { ortSessionOptions } from '../onnx/session.js';
import { concatProducts, type DeltaTerm, type LowRankProduct } from './delta-terms.js';

/** A weight matrix as stored: float32 values, or float16 bit patterns. */
export type StoredMatrix =
  | { readonly dtype: 'float32'; readonly rows: number; readonly cols: number; readonly data: Float32Array }
  | { readonly dtype: 'float16'; readonly rows: number; readonly cols: number; readonly data: Uint16Array };

type KernelKind = 'low-rank' | 'hadamard';

function buildKernel(kind: KernelKind, dtype: 'float32' | 'float16'): GraphBuilder {
  const g = new GraphBuilder(`lora-${kind}-${dtype}`);
  const base = g.input('base', dtype, ['rows', 'cols']);
  const product = (i: number) => g.matMul(g.input(`left${i}`, 'float32', ['rows', `rank${i}`]), g.input(`right${i}`, 'float32', [`rank${i}`, 'cols']));
  const delta = kind === 'low-rank' ? product(0) : g.mul(product(0), product(1));
  const wide = dtype === 'float32' ? base : g.cast(base, 'float32');
  const sum = g.add(wide, delta);
  g.output(dtype === 'float32' ? sum : g.cast(sum, 'float16'), 'merged');
  return g;
}

const sessions = new Map<string, Promise<ort.InferenceSession>>();

async function kernel(kind: KernelKind, dtype: 'float32' | 'float16'): Promise<ort.InferenceSession> {
  const key = `${kind}-${dtype}`;
  let session = sessions.get(key);
  if (!session) {
    session = buildKernel(kind, dtype)
      .toBytes()
      .then((bytes) => ort.InferenceSession.create(bytes, ortSessionOptions({ optimization: 'basic' })));
    sessions.set(key, session);
    session.catch(() => sessions.delete(key));
  }
  return session;
}

function feedsOf(p: LowRankProduct, i: number): Record<string, ort.Tensor> {
  return {
    [`left${i}`]: new ort.Tensor('float32', p.left, [p.rows, p.rank]),
    [`right${i}`]: new ort.Tensor('float32', p.right, [p.rank, p.cols]),
  };
}

async function run(kind: KernelKind, base: StoredMatrix, products: readonly LowRankProduct[]): Promise<StoredMatrix> {
  const session = await kernel(kind, base.dtype);
  const feeds: Record<string, ort.Tensor> = { base: new ort.Tensor(base.dtype, base.data, [base.rows, base.cols]) };
  products.forEach((p, i) => Object.assign(feeds, feedsOf(p, i)));
  const merged = (await session.run(feeds)).merged!;
  const data = merged.data;
  return base.dtype === 'float32'
    ? { dtype: 'float32', rows: base.rows, cols: base.cols, data: data as Float32Array }
    : { dtype: 'float16', rows: base.rows, cols: base.cols, data: data as Uint16Array };
}

/**
 * `base + Σ terms`, every term shaped like `base`. Low-rank terms are concatenated into one product (one GEMM of
 * the summed rank); each LoHa term is one more pass. The input arrays are not changed.
 */
export async function addDeltaTerms(base: StoredMatrix, terms: readonly DeltaTerm[]): Promise<StoredMatrix> {
  for (const t of terms) {
    const products = t.kind === 'low-rank' ? [t.product] : [t.a, t.b];
    for (const p of products) {
      if (p.rows !== base.rows || p.cols !== base.cols) {
        throw new RangeError(`a [${p.rows}, ${p.cols}] update cannot be added to a [${base.rows}, ${base.cols}] weight`);
      }
    }
  }
  let out = base;
  const lowRank = concatProducts(terms.flatMap((t) => (t.kind === 'low-rank' ? [t.product] : [])));
  if (lowRank) out = await run('low-rank', out, [lowRank]);
  for (const t of terms) if (t.kind === 'hadamard') out = await run('hadamard', out, [t.a, t.b]);
  return out;
}
