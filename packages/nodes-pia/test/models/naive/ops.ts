/** Plain-loop layers: convolution, linear, normalisations, attention, resampling, timestep embedding. */
import { tensor, type T } from './tensor.js';

/** 2-D convolution of `[N,C,H,W]` with `w [O,C,k,k]`, padding `[top, left, bottom, right]`. */
export function conv2d(x: T, w: T, b: T | undefined, stride: number, pad: readonly [number, number, number, number]): T {
  const [N, C, H, W] = x.dims as [number, number, number, number];
  const [O, , k] = w.dims as [number, number, number, number];
  const Ho = Math.floor((H + pad[0] + pad[2] - k) / stride) + 1;
  const Wo = Math.floor((W + pad[1] + pad[3] - k) / stride) + 1;
  const out = tensor([N, O, Ho, Wo]);
  for (let n = 0; n < N; n++)
    for (let o = 0; o < O; o++)
      for (let i = 0; i < Ho; i++)
        for (let j = 0; j < Wo; j++) {
          let s = b ? b.data[o]! : 0;
          for (let c = 0; c < C; c++)
            for (let u = 0; u < k; u++)
              for (let v = 0; v < k; v++) {
                const y = i * stride + u - pad[0];
                const xx = j * stride + v - pad[1];
                if (y < 0 || y >= H || xx < 0 || xx >= W) continue;
                s += x.data[((n * C + c) * H + y) * W + xx]! * w.data[((o * C + c) * k + u) * k + v]!;
              }
          out.data[((n * O + o) * Ho + i) * Wo + j] = s;
        }
  return out;
}

/** `x [..., in] · wᵀ + b` with a torch Linear weight `[out, in]`. */
export function linear(x: T, w: T, b?: T): T {
  const [O, I] = w.dims as [number, number];
  const rows = x.data.length / I;
  const out = tensor([...x.dims.slice(0, -1), O]);
  for (let r = 0; r < rows; r++)
    for (let o = 0; o < O; o++) {
      let s = b ? b.data[o]! : 0;
      for (let i = 0; i < I; i++) s += x.data[r * I + i]! * w.data[o * I + i]!;
      out.data[r * O + o] = s;
    }
  return out;
}

/**
 * GroupNorm of `[N,C,H,W]`. With `frames > 1`, the N images are `N/frames` samples of `frames` consecutive frames
 * and each group's statistics span all frames of a sample (PIA's resnet norms on a 5-D tensor).
 */
export function groupNorm(x: T, groups: number, eps: number, gamma: T, beta: T, frames = 1): T {
  const [N, C, H, W] = x.dims as [number, number, number, number];
  const cg = C / groups;
  const hw = H * W;
  const out = tensor(x.dims);
  for (let s = 0; s < N / frames; s++)
    for (let g = 0; g < groups; g++) {
      let sum = 0;
      let count = 0;
      for (let f = 0; f < frames; f++)
        for (let c = g * cg; c < (g + 1) * cg; c++)
          for (let p = 0; p < hw; p++) {
            sum += x.data[((s * frames + f) * C + c) * hw + p]!;
            count++;
          }
      const mean = sum / count;
      let sq = 0;
      for (let f = 0; f < frames; f++)
        for (let c = g * cg; c < (g + 1) * cg; c++)
          for (let p = 0; p < hw; p++) sq += (x.data[((s * frames + f) * C + c) * hw + p]! - mean) ** 2;
      const inv = 1 / Math.sqrt(sq / count + eps);
      for (let f = 0; f < frames; f++)
        for (let c = g * cg; c < (g + 1) * cg; c++)
          for (let p = 0; p < hw; p++) {
            const i = ((s * frames + f) * C + c) * hw + p;
            out.data[i] = (x.data[i]! - mean) * inv * gamma.data[c]! + beta.data[c]!;
          }
    }
  return out;
}

/** LayerNorm over the last axis. */
export function layerNorm(x: T, gamma: T, beta: T, eps = 1e-5): T {
  const C = x.dims[x.dims.length - 1]!;
  const out = tensor(x.dims);
  for (let r = 0; r < x.data.length / C; r++) {
    let mean = 0;
    for (let c = 0; c < C; c++) mean += x.data[r * C + c]!;
    mean /= C;
    let v = 0;
    for (let c = 0; c < C; c++) v += (x.data[r * C + c]! - mean) ** 2;
    const inv = 1 / Math.sqrt(v / C + eps);
    for (let c = 0; c < C; c++) out.data[r * C + c] = (x.data[r * C + c]! - mean) * inv * gamma.data[c]! + beta.data[c]!;
  }
  return out;
}

/**
 * Multi-head scaled dot-product attention. `q [B,S,D]`, `k`/`v [B,L,D]`, heads split D; `causal` masks
 * positions after the query's.
 */
export function attention(q: T, k: T, v: T, heads: number, causal = false): T {
  const [B, S, D] = q.dims as [number, number, number];
  const L = k.dims[1]!;
  const d = D / heads;
  const scale = 1 / Math.sqrt(d);
  const out = tensor([B, S, D]);
  const scores = new Float64Array(L);
  for (let b = 0; b < B; b++)
    for (let h = 0; h < heads; h++)
      for (let i = 0; i < S; i++) {
        let max = -Infinity;
        for (let j = 0; j < L; j++) {
          if (causal && j > i) {
            scores[j] = -Infinity;
            continue;
          }
          let s = 0;
          for (let e = 0; e < d; e++) s += q.data[(b * S + i) * D + h * d + e]! * k.data[(b * L + j) * D + h * d + e]!;
          scores[j] = s * scale;
          max = Math.max(max, scores[j]!);
        }
        let z = 0;
        for (let j = 0; j < L; j++) {
          scores[j] = Math.exp(scores[j]! - max);
          z += scores[j]!;
        }
        for (let e = 0; e < d; e++) {
          let s = 0;
          for (let j = 0; j < L; j++) s += (scores[j]! / z) * v.data[(b * L + j) * D + h * d + e]!;
          out.data[(b * S + i) * D + h * d + e] = s;
        }
      }
  return out;
}

/** Nearest-neighbour ×2 upsampling of `[N,C,H,W]`. */
export function upsample2x(x: T): T {
  const [N, C, H, W] = x.dims as [number, number, number, number];
  const out = tensor([N, C, 2 * H, 2 * W]);
  for (let nc = 0; nc < N * C; nc++)
    for (let i = 0; i < 2 * H; i++)
      for (let j = 0; j < 2 * W; j++) out.data[(nc * 2 * H + i) * 2 * W + j] = x.data[(nc * H + (i >> 1)) * W + (j >> 1)]!;
  return out;
}

/**
 * torch's `F.interpolate(x, size=[Ho, Wo], mode='nearest')` on `[N,C,H,W]`: output row i reads input row
 * ⌊i · H / Ho⌋ (clamped), likewise for columns.
 */
export function resizeNearest(x: T, Ho: number, Wo: number): T {
  const [N, C, H, W] = x.dims as [number, number, number, number];
  const out = tensor([N, C, Ho, Wo]);
  for (let nc = 0; nc < N * C; nc++)
    for (let i = 0; i < Ho; i++) {
      const si = Math.min(Math.floor((i * H) / Ho), H - 1);
      for (let j = 0; j < Wo; j++) {
        const sj = Math.min(Math.floor((j * W) / Wo), W - 1);
        out.data[(nc * Ho + i) * Wo + j] = x.data[(nc * H + si) * W + sj]!;
      }
    }
  return out;
}

/** diffusers `Timesteps(dim, flip_sin_to_cos=True, freq_shift=0)`: `[cos(t·f_i) | sin(t·f_i)]`, f_i = 10000^(−i/half). */
export function timestepFeatures(t: number, dim: number): T {
  const half = dim / 2;
  const out = tensor([1, dim]);
  for (let i = 0; i < half; i++) {
    const f = Math.exp((-Math.log(10000) * i) / half);
    out.data[i] = Math.cos(t * f);
    out.data[half + i] = Math.sin(t * f);
  }
  return out;
}

/** AnimateDiff's sinusoidal position encoding row `p`: `pe[2i] = sin(p·e^(−2i·ln(10000)/C))`, `pe[2i+1] = cos(...)`. */
export function positionEncoding(p: number, C: number): Float32Array {
  const row = new Float32Array(C);
  for (let i = 0; i < C / 2; i++) {
    const f = Math.exp((-2 * i * Math.log(10000)) / C);
    row[2 * i] = Math.sin(p * f);
    row[2 * i + 1] = Math.cos(p * f);
  }
  return row;
}
