/**
 * Resizing planar float batches `[N, C, H, W]` (latents and IMAGE frames) the way ComfyUI's `common_upscale` does:
 * an optional centre crop to the target aspect ratio, then PyTorch's `F.interpolate` (`nearest-exact`, `bilinear`
 * and `bicubic` with `align_corners=False`, `area` = adaptive average pooling) or ComfyUI's `bislerp` (spherical
 * interpolation between neighbouring latent vectors, kept for latents because it preserves their norms).
 *
 * Written by hand rather than through sharp: sharp works on 8-bit or float images with its own kernels and
 * coordinate conventions, while a latent needs torch's exact sample positions (a shifted grid changes the picture
 * the second pass of a hires fix makes). Lanczos, which ComfyUI runs through 8-bit PIL, is in `image-scale`.
 */

/** The interpolation methods of ComfyUI's latent and image scale nodes (lanczos: images only, see `scaleImages`). */
export type ResampleMethod = 'nearest-exact' | 'bilinear' | 'area' | 'bicubic' | 'bislerp';

/** A planar float batch. */
export interface PlanarBatch {
  readonly data: Float32Array;
  readonly dims: readonly [n: number, c: number, h: number, w: number];
}

/** Python's `round`: halves go to the even neighbour, as ComfyUI's size arithmetic does. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * The centre crop `common_upscale(..., crop="center")` takes before scaling to `width × height`: the side that is
 * too long for the target aspect ratio loses `round((old − old·ratio) / 2)` on each end.
 */
export function centreCrop(batch: PlanarBatch, width: number, height: number): PlanarBatch {
  const [n, c, h, w] = batch.dims;
  const oldAspect = w / h;
  const newAspect = width / height;
  let x = 0;
  let y = 0;
  if (oldAspect > newAspect) x = roundHalfEven((w - w * (newAspect / oldAspect)) / 2);
  else if (oldAspect < newAspect) y = roundHalfEven((h - h * (oldAspect / newAspect)) / 2);
  if (x === 0 && y === 0) return batch;
  const ch = h - 2 * y;
  const cw = w - 2 * x;
  const out = new Float32Array(n * c * ch * cw);
  for (let p = 0; p < n * c; p++) {
    for (let row = 0; row < ch; row++) {
      const src = p * h * w + (row + y) * w + x;
      out.set(batch.data.subarray(src, src + cw), p * ch * cw + row * cw);
    }
  }
  return { data: out, dims: [n, c, ch, cw] };
}

/** Resizes to `width × height` (`crop`: ComfyUI's `disabled` or `center`). */
export function resampleBatch(batch: PlanarBatch, width: number, height: number, method: ResampleMethod, crop: 'disabled' | 'center' = 'disabled'): PlanarBatch {
  const source = crop === 'center' ? centreCrop(batch, width, height) : batch;
  if (method === 'bislerp') return bislerp(source, width, height);
  // Separable: along the width, then along the height (what torch computes, up to float rounding order).
  const horizontal = resampleAxis(source, width, 'w', method);
  return resampleAxis(horizontal, height, 'h', method);
}

/** One output position's source taps and weights along an axis. */
interface Taps {
  readonly index: Int32Array;
  readonly weight: Float32Array;
  readonly perOutput: number;
}

function tapsFor(inSize: number, outSize: number, method: Exclude<ResampleMethod, 'bislerp'>): Taps {
  const scale = inSize / outSize;
  const clampIndex = (i: number) => (i < 0 ? 0 : i >= inSize ? inSize - 1 : i);
  if (method === 'nearest-exact') {
    const index = new Int32Array(outSize);
    for (let o = 0; o < outSize; o++) index[o] = Math.min(Math.floor((o + 0.5) * scale), inSize - 1);
    return { index, weight: new Float32Array(outSize).fill(1), perOutput: 1 };
  }
  if (method === 'area') {
    // adaptive_avg_pool: output o averages [floor(o·in/out), ceil((o+1)·in/out)).
    let widest = 0;
    const ranges: [number, number][] = [];
    for (let o = 0; o < outSize; o++) {
      const start = Math.floor((o * inSize) / outSize);
      const end = Math.ceil(((o + 1) * inSize) / outSize);
      ranges.push([start, end]);
      widest = Math.max(widest, end - start);
    }
    const index = new Int32Array(outSize * widest);
    const weight = new Float32Array(outSize * widest);
    ranges.forEach(([start, end], o) => {
      for (let k = 0; k < widest; k++) {
        index[o * widest + k] = Math.min(start + k, end - 1);
        weight[o * widest + k] = start + k < end ? 1 / (end - start) : 0;
      }
    });
    return { index, weight, perOutput: widest };
  }
  if (method === 'bilinear') {
    const index = new Int32Array(outSize * 2);
    const weight = new Float32Array(outSize * 2);
    for (let o = 0; o < outSize; o++) {
      const src = Math.max((o + 0.5) * scale - 0.5, 0);
      const i0 = Math.min(Math.floor(src), inSize - 1);
      const i1 = Math.min(i0 + 1, inSize - 1);
      const t = src - i0;
      index[2 * o] = i0;
      index[2 * o + 1] = i1;
      weight[2 * o] = 1 - t;
      weight[2 * o + 1] = t;
    }
    return { index, weight, perOutput: 2 };
  }
  // bicubic: Keys' cubic convolution with A = −0.75 over four taps, indices clamped at the borders.
  const A = -0.75;
  const near = (x: number) => ((A + 2) * x - (A + 3)) * x * x + 1;
  const far = (x: number) => ((A * x - 5 * A) * x + 8 * A) * x - 4 * A;
  const index = new Int32Array(outSize * 4);
  const weight = new Float32Array(outSize * 4);
  for (let o = 0; o < outSize; o++) {
    const src = (o + 0.5) * scale - 0.5;
    const i = Math.floor(src);
    const t = src - i;
    const w = [far(t + 1), near(t), near(1 - t), far(2 - t)];
    for (let k = 0; k < 4; k++) {
      index[4 * o + k] = clampIndex(i - 1 + k);
      weight[4 * o + k] = w[k]!;
    }
  }
  return { index, weight, perOutput: 4 };
}

function resampleAxis(batch: PlanarBatch, outSize: number, axis: 'w' | 'h', method: Exclude<ResampleMethod, 'bislerp'>): PlanarBatch {
  const [n, c, h, w] = batch.dims;
  const inSize = axis === 'w' ? w : h;
  if (inSize === outSize) return batch;
  const taps = tapsFor(inSize, outSize, method);
  const outH = axis === 'h' ? outSize : h;
  const outW = axis === 'w' ? outSize : w;
  const out = new Float32Array(n * c * outH * outW);
  const src = batch.data;
  const k = taps.perOutput;
  for (let p = 0; p < n * c; p++) {
    const inBase = p * h * w;
    const outBase = p * outH * outW;
    for (let y = 0; y < outH; y++) {
      for (let x = 0; x < outW; x++) {
        const o = axis === 'w' ? x : y;
        let sum = 0;
        for (let t = 0; t < k; t++) {
          const i = taps.index[o * k + t]!;
          sum += taps.weight[o * k + t]! * src[axis === 'w' ? inBase + y * w + i : inBase + i * w + x]!;
        }
        out[outBase + y * outW + x] = sum;
      }
    }
  }
  return { data: out, dims: [n, c, outH, outW] };
}

/**
 * ComfyUI's `bislerp` along one axis: each output position mixes two source vectors (all channels of one pixel)
 * by spherical interpolation of their directions and linear interpolation of their norms. The first neighbour and
 * the ratio come from bilinear interpolation of the source coordinates, the second from nearest interpolation of
 * the coordinates plus one (clamped at the end), as ComfyUI computes them.
 */
function bislerpAxis(batch: PlanarBatch, outSize: number, axis: 'w' | 'h'): PlanarBatch {
  const [n, c, h, w] = batch.dims;
  const inSize = axis === 'w' ? w : h;
  const scale = inSize / outSize;
  const first = new Int32Array(outSize);
  const second = new Int32Array(outSize);
  const ratio = new Float32Array(outSize);
  for (let o = 0; o < outSize; o++) {
    // Bilinear interpolation of the coordinates 0..in−1 is the clamped source position itself.
    const src = Math.min(Math.max((o + 0.5) * scale - 0.5, 0), inSize - 1);
    first[o] = Math.floor(src);
    ratio[o] = src - Math.floor(src);
    // Legacy `nearest` of (index + 1, last clamped): floor(o·scale).
    const nearest = Math.min(Math.floor(o * scale), inSize - 1);
    second[o] = Math.min(nearest + 1, inSize - 1);
  }
  const outH = axis === 'h' ? outSize : h;
  const outW = axis === 'w' ? outSize : w;
  const out = new Float32Array(n * c * outH * outW);
  const a = new Float64Array(c);
  const b = new Float64Array(c);
  for (let s = 0; s < n; s++) {
    for (let y = 0; y < outH; y++) {
      for (let x = 0; x < outW; x++) {
        const o = axis === 'w' ? x : y;
        const at = (i: number, ch: number) => batch.data[((s * c + ch) * h + (axis === 'h' ? i : y)) * w + (axis === 'w' ? i : x)]!;
        for (let ch = 0; ch < c; ch++) {
          a[ch] = at(first[o]!, ch);
          b[ch] = at(second[o]!, ch);
        }
        const mixed = slerp(a, b, ratio[o]!);
        for (let ch = 0; ch < c; ch++) out[((s * c + ch) * outH + y) * outW + x] = mixed[ch]!;
      }
    }
  }
  return { data: out, dims: [n, c, outH, outW] };
}

/** Spherical interpolation of directions, linear of norms; nearly parallel → `a`, nearly opposite → linear mix. */
function slerp(a: Float64Array, b: Float64Array, r: number): Float64Array {
  const c = a.length;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < c; i++) {
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  na = Math.sqrt(na);
  nb = Math.sqrt(nb);
  let dot = 0;
  for (let i = 0; i < c; i++) dot += (na === 0 ? 0 : a[i]! / na) * (nb === 0 ? 0 : b[i]! / nb);
  const out = new Float64Array(c);
  if (dot > 1 - 1e-5) {
    out.set(a);
    return out;
  }
  if (dot < 1e-5 - 1) {
    for (let i = 0; i < c; i++) out[i] = a[i]! * (1 - r) + b[i]! * r;
    return out;
  }
  const omega = Math.acos(dot);
  const so = Math.sin(omega);
  const wa = Math.sin((1 - r) * omega) / so;
  const wb = Math.sin(r * omega) / so;
  const norm = na * (1 - r) + nb * r;
  for (let i = 0; i < c; i++) out[i] = (wa * (na === 0 ? 0 : a[i]! / na) + wb * (nb === 0 ? 0 : b[i]! / nb)) * norm;
  return out;
}

function bislerp(batch: PlanarBatch, width: number, height: number): PlanarBatch {
  const [, , h, w] = batch.dims;
  const horizontal = w === width ? batch : bislerpAxis(batch, width, 'w');
  return h === height ? horizontal : bislerpAxis(horizontal, height, 'h');
}
