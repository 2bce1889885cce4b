/** Neural-network ops: convolution, matrix products, softmax, reductions, normalisations and resizing. */
import { OnnxError } from './errors.js';
import { ShapeOps } from './ops-shape.js';
import type { AttributeValue } from './onnx-proto.js';
import { type Value, attr } from './value.js';

/** Conv attributes (ONNX names, camel-cased); omitted ones take ONNX's defaults. */
export interface ConvOptions {
  /** `[top, left, …, bottom, right, …]`: begin pads of every spatial axis, then end pads. */
  pads?: readonly number[];
  strides?: readonly number[];
  dilations?: readonly number[];
  group?: number;
  kernelShape?: readonly number[];
}

/** Gemm attributes: `alpha · A' · B' + beta · C`. */
export interface GemmOptions {
  alpha?: number;
  beta?: number;
  transA?: boolean;
  transB?: boolean;
}

/** Resize attributes (opset 13+ semantics); give `scales` or `sizes` for every axis. */
export interface ResizeOptions {
  scales?: readonly number[];
  sizes?: readonly number[];
  mode?: 'nearest' | 'linear' | 'cubic';
  coordinateTransformationMode?: 'half_pixel' | 'asymmetric' | 'align_corners' | 'pytorch_half_pixel';
  nearestMode?: 'floor' | 'round_prefer_floor' | 'round_prefer_ceil' | 'ceil';
}

function optionalAttributes(entries: Record<string, AttributeValue | undefined>): Record<string, AttributeValue> {
  return Object.fromEntries(Object.entries(entries).filter(([, v]) => v !== undefined)) as Record<string, AttributeValue>;
}

/** Layers built from ONNX's nn ops. */
export class NnOps extends ShapeOps {
  /** N-d convolution; `w` is `[out, in/group, k…]`, `b` is `[out]`. */
  conv(x: Value, w: Value, b?: Value | null, options: ConvOptions = {}): Value {
    const attributes = optionalAttributes({
      pads: options.pads && attr.ints(options.pads),
      strides: options.strides && attr.ints(options.strides),
      dilations: options.dilations && attr.ints(options.dilations),
      group: options.group !== undefined ? attr.int(options.group) : undefined,
      kernel_shape: options.kernelShape && attr.ints(options.kernelShape),
    });
    return this.op('Conv', b ? [x, w, b] : [x, w], attributes);
  }

  /** Matrix product with numpy broadcasting over leading axes. */
  matMul(a: Value, b: Value): Value {
    return this.op('MatMul', [a, b]);
  }

  /** 2-D general matrix multiply `alpha · A' · B' + beta · C`. */
  gemm(a: Value, b: Value, c?: Value | null, options: GemmOptions = {}): Value {
    const attributes = optionalAttributes({
      alpha: options.alpha !== undefined ? attr.float(options.alpha) : undefined,
      beta: options.beta !== undefined ? attr.float(options.beta) : undefined,
      transA: options.transA ? attr.int(1) : undefined,
      transB: options.transB ? attr.int(1) : undefined,
    });
    return this.op('Gemm', c ? [a, b, c] : [a, b], attributes);
  }

  /**
   * A linear layer on the last axis: `x · w + b`, with `w` as `[in, out]`. Torch's `[out, in]` weights
   * become that layout when declared with `initializer(name, src, { transpose: true })`.
   */
  linear(x: Value, w: Value, b?: Value | null): Value {
    return this.scope('linear', () => {
      const y = this.matMul(x, w);
      return b ? this.add(y, b) : y;
    });
  }

  /** Softmax along `axis`. */
  softmax(x: Value, axis = -1): Value {
    return this.op('Softmax', [x], { axis: attr.int(axis) });
  }

  /** Mean over `axes` (opset 17: an attribute). */
  reduceMean(x: Value, axes: readonly number[], keepDims = true): Value {
    return this.op('ReduceMean', [x], { axes: attr.ints(axes), keepdims: attr.int(keepDims ? 1 : 0) });
  }

  /** LayerNormalization over the axes from `axis` on; `scale`/`bias` have the normalised shape. */
  layerNorm(x: Value, scale: Value, bias: Value | null, eps = 1e-5, axis = -1): Value {
    return this.op('LayerNormalization', bias ? [x, scale, bias] : [x, scale], {
      axis: attr.int(axis),
      epsilon: attr.float(eps),
    });
  }

  /** InstanceNormalization of `[N, C, …]`: per (n, c) statistics over the remaining axes; `scale`/`bias` are `[C]`. */
  instanceNorm(x: Value, scale: Value, bias: Value, eps = 1e-5): Value {
    return this.op('InstanceNormalization', [x, scale, bias], { epsilon: attr.float(eps) });
  }

  /**
   * GroupNorm of `[N, C, …]` with per-channel `scale`/`bias` `[C]` (either may be null). Statistics span each
   * group's channels and every axis after C, so a caller wanting statistics across frames reshapes first
   * (e.g. `[B, C, F, H, W]`). Built as Reshape → InstanceNormalization → affine, as torch's exporter does: opset 17
   * has no GroupNormalization, and onnxruntime 1.30 runs the opset 18/21 op only by expanding its ONNX function
   * body (checked on the CPU EP), while InstanceNormalization has native CPU and CUDA kernels.
   */
  groupNorm(x: Value, groups: number, eps: number, scale: Value | null, bias: Value | null): Value {
    if (!Number.isInteger(groups) || groups < 1) {
      throw new OnnxError('bad-argument', `groupNorm: groups must be a positive integer, got ${groups}`, { groups });
    }
    return this.scope('group_norm', () => {
      const dtype = x.dtype ?? this.options.floatDtype ?? 'float32';
      const grouped = this.reshape(x, [0, groups, -1]);
      const ones = this.constant(dtype, [groups], new Array<number>(groups).fill(1));
      const zeros = this.constant(dtype, [groups], new Array<number>(groups).fill(0));
      const normed = this.instanceNorm(grouped, ones, zeros, eps);
      const shape = this.shape(x);
      if (!scale && !bias) return this.reshape(normed, shape);
      // [N, C, rest]: per-channel affine without knowing x's rank.
      const channels = scale?.shape?.[0] ?? bias?.shape?.[0];
      const perChannel = this.reshape(
        normed,
        typeof channels === 'number' ? [0, channels, -1] : this.concat([this.shape(x, 0, 2), this.constInt64([-1])], 0),
      );
      let y = scale ? this.mul(perChannel, this.unsqueeze(scale, [1])) : perChannel;
      if (bias) y = this.add(y, this.unsqueeze(bias, [1]));
      return this.reshape(y, shape);
    });
  }

  /** Resize with explicit attributes. */
  resize(x: Value, options: ResizeOptions): Value {
    if ((options.scales === undefined) === (options.sizes === undefined)) {
      throw new OnnxError('bad-argument', 'resize: give exactly one of scales or sizes');
    }
    const scales = options.scales ? this.constant('float32', [options.scales.length], options.scales) : null;
    const sizes = options.sizes ? this.constInt64(options.sizes) : null;
    const inputs = sizes ? [x, null, null, sizes] : [x, null, scales];
    return this.op(
      'Resize',
      inputs,
      optionalAttributes({
        mode: attr.string(options.mode ?? 'nearest'),
        coordinate_transformation_mode: options.coordinateTransformationMode && attr.string(options.coordinateTransformationMode),
        nearest_mode: options.nearestMode && attr.string(options.nearestMode),
      }),
    );
  }

  /**
   * Nearest-neighbour upsampling of the last two axes by an integer `factor`, as torch's
   * `F.interpolate(mode='nearest')`: output pixel i reads input pixel ⌊i / factor⌋.
   */
  upsampleNearest(x: Value, factor = 2, rank = 4): Value {
    const scales = [...new Array<number>(rank - 2).fill(1), factor, factor];
    return this.resize(x, { scales, mode: 'nearest', coordinateTransformationMode: 'asymmetric', nearestMode: 'floor' });
  }

  /**
   * Nearest-neighbour resize of the last two axes of `x` to the last two dims of `like`, as torch's
   * `F.interpolate(x, size=like.shape[-2:], mode='nearest')`: output pixel i reads input pixel ⌊i · in / out⌋.
   * The sizes come from `Shape` at run time, so the graph takes any spatial size.
   */
  resizeNearestLike(x: Value, like: Value, rank = 4): Value {
    const sizes = this.concat([this.shape(x, 0, rank - 2), this.shape(like, -2)], 0);
    return this.op('Resize', [x, null, null, sizes], {
      mode: attr.string('nearest'),
      coordinate_transformation_mode: attr.string('asymmetric'),
      nearest_mode: attr.string('floor'),
    });
  }

  /** Einstein summation, e.g. `einsum('bid,bjd->bij', q, k)`. */
  einsum(equation: string, ...xs: Value[]): Value {
    return this.op('Einsum', xs, { equation: attr.string(equation) });
  }
}
