/** Shape ops: Reshape, Transpose, Concat, Pad, Split, Slice, Gather, (Un)Squeeze, Expand, Shape, ConstantOfShape, Range. */
import type { DType } from './dtype.js';
import { OnnxError } from './errors.js';
import { tensorAttribute } from './graph-base.js';
import { ElementwiseOps } from './ops-elementwise.js';
import { type Value, attr } from './value.js';

/** A list of int64s given inline (made a constant) or as a tensor computed in the graph. */
export type Ints = readonly number[] | Value;

/** Ops that move data without arithmetic. */
export class ShapeOps extends ElementwiseOps {
  /** An int64 list operand: inline numbers become a constant. */
  protected ints(v: Ints): Value {
    return Array.isArray(v) ? this.constInt64(v as readonly number[]) : (v as Value);
  }

  /** Reshape; `0` copies the input's dim, `-1` is inferred (ONNX semantics). */
  reshape(x: Value, shape: Ints): Value {
    return this.op('Reshape', [x, this.ints(shape)]);
  }

  /** Permutes the axes. */
  transpose(x: Value, perm: readonly number[]): Value {
    return this.op('Transpose', [x], { perm: attr.ints(perm) });
  }

  /** Joins tensors along `axis`. */
  concat(xs: readonly Value[], axis: number): Value {
    if (xs.length === 0) throw new OnnxError('bad-argument', 'concat: needs at least one input');
    return this.op('Concat', xs, { axis: attr.int(axis) });
  }

  /**
   * Zero padding (ONNX Pad, constant mode): `pads` holds the begin counts of every axis, then the end counts
   * (`[x1_begin, x2_begin, …, x1_end, x2_end, …]`).
   */
  pad(x: Value, pads: readonly number[]): Value {
    return this.op('Pad', [x, this.constInt64(pads)]);
  }

  /** `extra` zero channels appended to a 4-D `[N, C, H, W]` tensor (input or kernel): `[N, C + extra, H, W]`. */
  padChannels(x: Value, extra: number): Value {
    return extra > 0 ? this.pad(x, [0, 0, 0, 0, 0, extra, 0, 0]) : x;
  }

  /** Splits along `axis` into `parts` equal pieces (a number) or pieces of the given sizes (a list). */
  split(x: Value, parts: number | readonly number[], axis: number): Value[] {
    if (typeof parts === 'number') {
      if (!Number.isInteger(parts) || parts < 1) throw new OnnxError('bad-argument', `split: ${parts} is not a number of parts`);
      return this.node('Split', [x], { axis: attr.int(axis) }, { outputs: parts });
    }
    return this.node('Split', [x, this.constInt64(parts)], { axis: attr.int(axis) }, { outputs: parts.length });
  }

  /** `x[starts:ends:steps]` on `axes` (default: the first `starts.length` axes). */
  slice(x: Value, starts: Ints, ends: Ints, axes?: Ints, steps?: Ints): Value {
    const inputs = [x, this.ints(starts), this.ints(ends), axes ? this.ints(axes) : null, steps ? this.ints(steps) : null];
    while (inputs[inputs.length - 1] === null) inputs.pop();
    return this.op('Slice', inputs);
  }

  /** Takes entries along `axis` by index; a single number index drops the axis, as ONNX Gather with a scalar does. */
  gather(x: Value, indices: number | Ints, axis = 0): Value {
    const idx = typeof indices === 'number' ? this.constInt64(indices) : this.ints(indices);
    return this.op('Gather', [x, idx], { axis: attr.int(axis) });
  }

  /** Inserts size-1 axes. */
  unsqueeze(x: Value, axes: Ints): Value {
    return this.op('Unsqueeze', [x, this.ints(axes)]);
  }

  /** Removes size-1 axes (all of them when `axes` is omitted). */
  squeeze(x: Value, axes?: Ints): Value {
    return this.op('Squeeze', axes === undefined ? [x] : [x, this.ints(axes)]);
  }

  /** Broadcasts to `shape`. */
  expand(x: Value, shape: Ints): Value {
    return this.op('Expand', [x, this.ints(shape)]);
  }

  /** The shape of `x` as int64, optionally the dims `start` to `end` only. */
  shape(x: Value, start?: number, end?: number): Value {
    const attributes = {
      ...(start !== undefined ? { start: attr.int(start) } : {}),
      ...(end !== undefined ? { end: attr.int(end) } : {}),
    };
    return this.op('Shape', [x], attributes, { dtype: 'int64' });
  }

  /** A tensor of the given shape filled with `value`. */
  constantOfShape(shape: Ints, value: number, dtype: DType = 'float32'): Value {
    return this.op('ConstantOfShape', [this.ints(shape)], { value: tensorAttribute(dtype, [1], [value]) }, { dtype });
  }

  /** `start, start + delta, …` below `limit`; the scalars' dtype decides the output's (int64 for numbers). */
  range(start: number | Value, limit: number | Value, delta: number | Value = 1): Value {
    const scalar = (v: number | Value): Value => (typeof v === 'number' ? this.constInt64(v) : v);
    return this.op('Range', [scalar(start), scalar(limit), scalar(delta)]);
  }

  /** A copy of `x` under a new node name (onnxruntime removes it). */
  identity(x: Value): Value {
    return this.op('Identity', [x]);
  }
}
