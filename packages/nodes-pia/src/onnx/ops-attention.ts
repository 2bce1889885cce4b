/** Multi-head attention: onnxruntime's fused contrib op, and the same maths from plain ONNX ops. */
import { OnnxError } from './errors.js';
import { NnOps } from './ops-nn.js';
import { type Value, attr } from './value.js';

/** The onnxruntime contrib-op domain. */
export const MS_DOMAIN = 'com.microsoft';

/** Attention settings; `q` is `[B, S, heads·d]`, `k` `[B, L, heads·d]`, `v` `[B, L, heads·dv]`. */
export interface AttentionOptions {
  heads: number;
  /** Logit scale; default 1/√d. */
  scale?: number;
  /** Per-head size `d`, needed by the plain form for the default scale when q's last dim is not static. */
  headDim?: number;
  /** `true` (default): `com.microsoft` MultiHeadAttention; `false`: Softmax(QKᵀ·scale)V from plain ops. */
  fused?: boolean;
}

/** Attention layers. */
export class AttentionOps extends NnOps {
  /** softmax(Q·Kᵀ·scale)·V per head, `[B, S, heads·dv]` out. */
  attention(q: Value, k: Value, v: Value, options: AttentionOptions): Value {
    checkHeads(options.heads);
    return options.fused === false ? this.plainAttention(q, k, v, options) : this.multiHeadAttention(q, k, v, options);
  }

  /**
   * onnxruntime's fused `com.microsoft.MultiHeadAttention` (CPU and CUDA kernels; memory-efficient on CUDA).
   * Inputs are `[B, S, heads·d]`; the scale defaults to 1/√d inside the op.
   */
  multiHeadAttention(q: Value, k: Value, v: Value, options: Pick<AttentionOptions, 'heads' | 'scale'>): Value {
    checkHeads(options.heads);
    const attributes = {
      num_heads: attr.int(options.heads),
      ...(options.scale !== undefined ? { scale: attr.float(options.scale) } : {}),
    };
    return this.op('MultiHeadAttention', [q, k, v], attributes, { domain: MS_DOMAIN });
  }

  /** The reference form from standard ops: reshape to heads, MatMul, Softmax, MatMul, merge heads. */
  plainAttention(q: Value, k: Value, v: Value, options: Omit<AttentionOptions, 'fused'>): Value {
    const { heads } = options;
    checkHeads(heads);
    const scale = options.scale ?? 1 / Math.sqrt(headDim(q, options));
    return this.scope('attention', () => {
      const split = (x: Value): Value => this.reshape(x, [0, 0, heads, -1]);
      const qh = this.transpose(split(q), [0, 2, 1, 3]);
      const kt = this.transpose(split(k), [0, 2, 3, 1]);
      const vh = this.transpose(split(v), [0, 2, 1, 3]);
      const probs = this.softmax(this.mul(this.matMul(qh, kt), scale), -1);
      const out = this.transpose(this.matMul(probs, vh), [0, 2, 1, 3]);
      return this.reshape(out, [0, 0, -1]);
    });
  }
}

function checkHeads(heads: number): void {
  if (!Number.isInteger(heads) || heads < 1) {
    throw new OnnxError('bad-argument', `attention: heads must be a positive integer, got ${heads}`, { heads });
  }
}

function headDim(q: Value, options: Pick<AttentionOptions, 'heads' | 'headDim'>): number {
  if (options.headDim !== undefined) return options.headDim;
  const last = q.shape?.[q.shape.length - 1];
  if (typeof last === 'number') return last / options.heads;
  throw new OnnxError('bad-argument', `attention on '${q.name}': its head size is not known statically; pass headDim or scale`, {
    query: q.name,
  });
}
