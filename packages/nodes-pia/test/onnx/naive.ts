/**
 * Plain-loop reference implementations of the ops the builder emits, written from the ONNX operator
 * definitions (and torch's for nearest upsampling), in float64. Slow on purpose: loops that can be read.
 */

/** A dense row-major tensor. */
export interface Nd {
  readonly shape: readonly number[];
  readonly data: Float64Array;
}

export function nd(shape: readonly number[], data: ArrayLike<number>): Nd {
  const n = shape.reduce((a, d) => a * d, 1);
  if (data.length !== n) throw new Error(`nd: shape [${shape}] needs ${n} values, got ${data.length}`);
  return { shape: [...shape], data: Float64Array.from(data) };
}

export function size(shape: readonly number[]): number {
  return shape.reduce((a, d) => a * d, 1);
}

export function unravel(i: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let k = shape.length - 1; k >= 0; k--) {
    idx[k] = i % shape[k]!;
    i = Math.floor(i / shape[k]!);
  }
  return idx;
}

export function ravel(idx: readonly number[], shape: readonly number[]): number {
  let i = 0;
  for (let k = 0; k < shape.length; k++) i = i * shape[k]! + idx[k]!;
  return i;
}

export function at(x: Nd, idx: readonly number[]): number {
  return x.data[ravel(idx, x.shape)]!;
}

function normAxis(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}

/** Element-wise function. */
export function map(x: Nd, f: (v: number) => number): Nd {
  return { shape: x.shape, data: x.data.map(f) };
}

/** numpy broadcasting of two tensors through `f`. */
export function broadcast(a: Nd, b: Nd, f: (x: number, y: number) => number): Nd {
  const rank = Math.max(a.shape.length, b.shape.length);
  const pad = (s: readonly number[]) => [...new Array<number>(rank - s.length).fill(1), ...s];
  const as = pad(a.shape);
  const bs = pad(b.shape);
  const shape = as.map((d, i) => Math.max(d, bs[i]!));
  const out = new Float64Array(size(shape));
  for (let i = 0; i < out.length; i++) {
    const idx = unravel(i, shape);
    const ia = ravel(idx.map((v, k) => (as[k] === 1 ? 0 : v)), as);
    const ib = ravel(idx.map((v, k) => (bs[k] === 1 ? 0 : v)), bs);
    out[i] = f(a.data[ia]!, b.data[ib]!);
  }
  return { shape, data: out };
}

/** erf by its Maclaurin series (exact to ~1e-14 for |x| ≤ 4; beyond, 1 − erf < 2e-8). */
export function erf(x: number): number {
  if (Math.abs(x) > 4) return Math.sign(x);
  let term = x;
  let sum = x;
  for (let n = 1; n < 100; n++) {
    term *= (-x * x) / n;
    sum += term / (2 * n + 1);
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

export interface Conv2dOptions {
  pads?: readonly number[];
  strides?: readonly number[];
  dilations?: readonly number[];
  group?: number;
}

/** 2-D convolution (cross-correlation) of `[N, C, H, W]` with `[O, C/g, kh, kw]`. */
export function conv2d(x: Nd, w: Nd, b: Nd | null, o: Conv2dOptions = {}): Nd {
  const [N, , H, W] = x.shape as [number, number, number, number];
  const [O, Cg, KH, KW] = w.shape as [number, number, number, number];
  const [pt, pl, pb, pr] = o.pads ?? [0, 0, 0, 0];
  const [sh, sw] = o.strides ?? [1, 1];
  const [dh, dw] = o.dilations ?? [1, 1];
  const g = o.group ?? 1;
  const OH = Math.floor((H + pt! + pb! - dh! * (KH - 1) - 1) / sh!) + 1;
  const OW = Math.floor((W + pl! + pr! - dw! * (KW - 1) - 1) / sw!) + 1;
  const out = new Float64Array(N * O * OH * OW);
  const perGroup = O / g;
  for (let n = 0; n < N; n++)
    for (let oc = 0; oc < O; oc++)
      for (let oy = 0; oy < OH; oy++)
        for (let ox = 0; ox < OW; ox++) {
          let s = b ? b.data[oc]! : 0;
          const grp = Math.floor(oc / perGroup);
          for (let ic = 0; ic < Cg; ic++)
            for (let ky = 0; ky < KH; ky++)
              for (let kx = 0; kx < KW; kx++) {
                const iy = oy * sh! - pt! + ky * dh!;
                const ix = ox * sw! - pl! + kx * dw!;
                if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
                s += at(x, [n, grp * Cg + ic, iy, ix]) * at(w, [oc, ic, ky, kx]);
              }
          out[ravel([n, oc, oy, ox], [N, O, OH, OW])] = s;
        }
  return { shape: [N, O, OH, OW], data: out };
}

/** Matrix product of rank ≥ 2 tensors with broadcast leading axes. */
export function matmul(a: Nd, b: Nd): Nd {
  const M = a.shape[a.shape.length - 2]!;
  const K = a.shape[a.shape.length - 1]!;
  const N = b.shape[b.shape.length - 1]!;
  const lead = broadcast(
    { shape: a.shape.slice(0, -2), data: new Float64Array(size(a.shape.slice(0, -2))) },
    { shape: b.shape.slice(0, -2), data: new Float64Array(size(b.shape.slice(0, -2))) },
    () => 0,
  ).shape;
  const shape = [...lead, M, N];
  const out = new Float64Array(size(shape));
  const aLead = a.shape.slice(0, -2);
  const bLead = b.shape.slice(0, -2);
  const pick = (idx: number[], s: readonly number[]) => idx.slice(idx.length - s.length).map((v, k) => (s[k] === 1 ? 0 : v));
  for (let i = 0; i < out.length; i++) {
    const idx = unravel(i, shape);
    const l = idx.slice(0, -2);
    const [m, n] = idx.slice(-2) as [number, number];
    let s = 0;
    for (let k = 0; k < K; k++) s += at(a, [...pick(l, aLead), m, k]) * at(b, [...pick(l, bLead), k, n]);
    out[i] = s;
  }
  return { shape, data: out };
}

/** Permutes axes. */
export function transpose(x: Nd, perm: readonly number[]): Nd {
  const shape = perm.map((p) => x.shape[p]!);
  const out = new Float64Array(x.data.length);
  for (let i = 0; i < out.length; i++) {
    const idx = unravel(i, shape);
    const src = new Array<number>(perm.length);
    perm.forEach((p, k) => (src[p] = idx[k]!));
    out[i] = at(x, src);
  }
  return { shape, data: out };
}

/** Applies `f` to every 1-D lane along `axis`, `f` writing the lane in place. */
function lanes(x: Nd, axis: number, f: (lane: number[]) => number[]): Nd {
  const ax = normAxis(axis, x.shape.length);
  const out = new Float64Array(x.data.length);
  const len = x.shape[ax]!;
  const outer = x.shape.slice();
  outer[ax] = 1;
  for (let i = 0; i < size(outer); i++) {
    const idx = unravel(i, outer);
    const lane: number[] = [];
    for (let j = 0; j < len; j++) lane.push(at(x, idx.map((v, k) => (k === ax ? j : v))));
    f(lane).forEach((v, j) => (out[ravel(idx.map((u, k) => (k === ax ? j : u)), x.shape)] = v));
  }
  return { shape: x.shape, data: out };
}

export function softmax(x: Nd, axis = -1): Nd {
  return lanes(x, axis, (l) => {
    const m = Math.max(...l);
    const e = l.map((v) => Math.exp(v - m));
    const s = e.reduce((a, v) => a + v, 0);
    return e.map((v) => v / s);
  });
}

function meanVar(vals: readonly number[]): [number, number] {
  const mean = vals.reduce((a, v) => a + v, 0) / vals.length;
  const variance = vals.reduce((a, v) => a + (v - mean) ** 2, 0) / vals.length;
  return [mean, variance];
}

/** LayerNorm over the last axis. */
export function layerNorm(x: Nd, scale: Nd, bias: Nd | null, eps: number): Nd {
  return lanes(x, -1, (l) => {
    const [m, v] = meanVar(l);
    return l.map((u, j) => ((u - m) / Math.sqrt(v + eps)) * scale.data[j]! + (bias ? bias.data[j]! : 0));
  });
}

/** GroupNorm of `[N, C, …]`: statistics over each group's channels and every later axis; per-channel affine. */
export function groupNorm(x: Nd, groups: number, eps: number, scale: Nd | null, bias: Nd | null): Nd {
  const [N, C] = x.shape as [number, number];
  const inner = size(x.shape.slice(2));
  const per = (C / groups) * inner;
  const out = new Float64Array(x.data.length);
  for (let n = 0; n < N; n++)
    for (let g = 0; g < groups; g++) {
      const start = (n * C + g * (C / groups)) * inner;
      const [m, v] = meanVar(Array.from(x.data.subarray(start, start + per)));
      for (let i = 0; i < per; i++) {
        const c = g * (C / groups) + Math.floor(i / inner);
        const normed = (x.data[start + i]! - m) / Math.sqrt(v + eps);
        out[start + i] = normed * (scale ? scale.data[c]! : 1) + (bias ? bias.data[c]! : 0);
      }
    }
  return { shape: x.shape, data: out };
}

/** InstanceNorm = GroupNorm with one group per channel. */
export function instanceNorm(x: Nd, scale: Nd, bias: Nd, eps: number): Nd {
  return groupNorm(x, x.shape[1]!, eps, scale, bias);
}

/** torch `F.interpolate(mode='nearest')` on the last two axes: out[i] = in[⌊i / f⌋]. */
export function upsampleNearest(x: Nd, f: number): Nd {
  const shape = x.shape.map((d, k) => (k >= x.shape.length - 2 ? d * f : d));
  const out = new Float64Array(size(shape));
  for (let i = 0; i < out.length; i++) {
    const idx = unravel(i, shape);
    out[i] = at(x, idx.map((v, k) => (k >= shape.length - 2 ? Math.floor(v / f) : v)));
  }
  return { shape, data: out };
}

/** Multi-head attention on `[B, S, H·D]` tensors: per head softmax(q·kᵀ·scale)·v, written with explicit loops. */
export function attention(q: Nd, k: Nd, v: Nd, heads: number, scale?: number): Nd {
  const [B, S, HD] = q.shape as [number, number, number];
  const L = k.shape[1]!;
  const DV = v.shape[2]! / heads;
  const D = HD / heads;
  const s = scale ?? 1 / Math.sqrt(D);
  const out = new Float64Array(B * S * heads * DV);
  for (let b = 0; b < B; b++)
    for (let h = 0; h < heads; h++)
      for (let i = 0; i < S; i++) {
        const logits: number[] = [];
        for (let j = 0; j < L; j++) {
          let dot = 0;
          for (let d = 0; d < D; d++) dot += at(q, [b, i, h * D + d]) * at(k, [b, j, h * D + d]);
          logits.push(dot * s);
        }
        const m = Math.max(...logits);
        const e = logits.map((x) => Math.exp(x - m));
        const z = e.reduce((a, x) => a + x, 0);
        for (let d = 0; d < DV; d++) {
          let acc = 0;
          for (let j = 0; j < L; j++) acc += (e[j]! / z) * at(v, [b, j, h * DV + d]);
          out[ravel([b, i, h * DV + d], [B, S, heads * DV])] = acc;
        }
      }
  return { shape: [B, S, heads * DV], data: out };
}

/** Mean over `axes`, keeping them as size 1. */
export function reduceMean(x: Nd, axes: readonly number[]): Nd {
  const ax = axes.map((a) => normAxis(a, x.shape.length));
  const shape = x.shape.map((d, k) => (ax.includes(k) ? 1 : d));
  const sums = new Float64Array(size(shape));
  for (let i = 0; i < x.data.length; i++) {
    const idx = unravel(i, x.shape).map((v, k) => (ax.includes(k) ? 0 : v));
    const j = ravel(idx, shape);
    sums[j] = sums[j]! + x.data[i]!;
  }
  const count = size(ax.map((a) => x.shape[a]!));
  return { shape, data: sums.map((s) => s / count) };
}

/** `x[starts:ends:steps]` on `axes` (python slicing rules for the positive steps used here). */
export function slice(x: Nd, starts: number[], ends: number[], axes: number[], steps: number[]): Nd {
  const ranges = x.shape.map((d) => ({ start: 0, step: 1, count: d }));
  axes.forEach((a, i) => {
    const d = x.shape[a]!;
    const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + d : v, 0), d);
    const start = clamp(starts[i]!);
    const end = clamp(ends[i]!);
    ranges[a] = { start, step: steps[i]!, count: Math.max(0, Math.ceil((end - start) / steps[i]!)) };
  });
  const shape = ranges.map((r) => r.count);
  const out = new Float64Array(size(shape));
  for (let i = 0; i < out.length; i++) {
    const idx = unravel(i, shape);
    out[i] = at(x, idx.map((v, k) => ranges[k]!.start + v * ranges[k]!.step));
  }
  return { shape, data: out };
}

/** Concatenation along `axis`. */
export function concat(xs: readonly Nd[], axis: number): Nd {
  const shape = xs[0]!.shape.slice();
  shape[axis] = xs.reduce((a, x) => a + x.shape[axis]!, 0);
  const out = new Float64Array(size(shape));
  for (let i = 0; i < out.length; i++) {
    const idx = unravel(i, shape);
    let j = idx[axis]!;
    let t = 0;
    while (j >= xs[t]!.shape[axis]!) j -= xs[t++]!.shape[axis]!;
    out[i] = at(xs[t]!, idx.map((v, k) => (k === axis ? j : v)));
  }
  return { shape, data: out };
}
