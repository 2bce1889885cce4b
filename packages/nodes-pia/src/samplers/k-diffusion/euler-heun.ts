/** The Karras et al. (2022) family: Euler, Heun, DPM-2 and their ancestral variants, Heun++ and LMS. */
import { f, fexp, flog } from '../f32.js';
import { addScaled, ancestralStep, toD, type SamplerContext } from './context.js';

/** log-space midpoint exp(lerp(log a, log b, 0.5)) (torch.lerp with weight 0.5 computes end - diff·0.5). */
function logMidpoint(a: number, b: number): number {
  const la = flog(a);
  const lb = flog(b);
  return fexp(f(lb - f(f(lb - la) * 0.5)));
}

/** Euler steps (Algorithm 2 of Karras et al. without churn). */
export async function sampleEuler(ctx: SamplerContext): Promise<Float32Array> {
  const { sigmas } = ctx;
  let x = ctx.x;
  const d = new Float32Array(x.length);
  for (let i = 0; i < sigmas.length - 1; i++) {
    const sigma = sigmas[i]!;
    const denoised = await ctx.model(x, sigma);
    toD(x, sigma, denoised, d);
    ctx.callback(i, denoised, x);
    x = addScaled(x, d, f(sigmas[i + 1]! - sigma));
  }
  return x;
}

/** Euler steps down to σ_down, then fresh noise of σ_up (eta 1). */
export async function sampleEulerAncestral(ctx: SamplerContext): Promise<Float32Array> {
  const { sigmas } = ctx;
  const noise = ctx.noise();
  let x = ctx.x;
  const d = new Float32Array(x.length);
  for (let i = 0; i < sigmas.length - 1; i++) {
    const sigma = sigmas[i]!;
    const denoised = await ctx.model(x, sigma);
    const [down, up] = ancestralStep(sigma, sigmas[i + 1]!);
    ctx.callback(i, denoised, x);
    if (down === 0) {
      x = denoised;
      continue;
    }
    toD(x, sigma, denoised, d);
    const dt = f(down - sigma);
    const n = noise(sigma, sigmas[i + 1]!);
    const next = new Float32Array(x.length);
    for (let k = 0; k < x.length; k++) next[k] = f(x[k]! + f(d[k]! * dt)) + f(n[k]! * up);
    x = next;
  }
  return x;
}

/** Heun's second-order method (Euler on the last step to σ = 0). */
export async function sampleHeun(ctx: SamplerContext): Promise<Float32Array> {
  const { sigmas } = ctx;
  let x = ctx.x;
  const d = new Float32Array(x.length);
  const d2 = new Float32Array(x.length);
  for (let i = 0; i < sigmas.length - 1; i++) {
    const sigma = sigmas[i]!;
    const next = sigmas[i + 1]!;
    const denoised = await ctx.model(x, sigma);
    toD(x, sigma, denoised, d);
    ctx.callback(i, denoised, x);
    const dt = f(next - sigma);
    if (next === 0) {
      x = addScaled(x, d, dt);
      continue;
    }
    const x2 = addScaled(x, d, dt);
    toD(x2, next, await ctx.model(x2, next), d2);
    const out = new Float32Array(x.length);
    for (let k = 0; k < x.length; k++) out[k] = x[k]! + f(f(f(d[k]! + d2[k]!) / 2) * dt);
    x = out;
  }
  return x;
}

/** DPM-Solver-2 steps through the log-space midpoint (Euler on the last step). */
export async function sampleDpm2(ctx: SamplerContext): Promise<Float32Array> {
  const { sigmas } = ctx;
  let x = ctx.x;
  const d = new Float32Array(x.length);
  const d2 = new Float32Array(x.length);
  for (let i = 0; i < sigmas.length - 1; i++) {
    const sigma = sigmas[i]!;
    const next = sigmas[i + 1]!;
    const denoised = await ctx.model(x, sigma);
    toD(x, sigma, denoised, d);
    ctx.callback(i, denoised, x);
    if (next === 0) {
      x = addScaled(x, d, f(next - sigma));
      continue;
    }
    const mid = logMidpoint(sigma, next);
    const x2 = addScaled(x, d, f(mid - sigma));
    toD(x2, mid, await ctx.model(x2, mid), d2);
    x = addScaled(x, d2, f(next - sigma));
  }
  return x;
}

/** DPM-Solver-2 down to σ_down, then fresh noise of σ_up. */
export async function sampleDpm2Ancestral(ctx: SamplerContext): Promise<Float32Array> {
  const { sigmas } = ctx;
  const noise = ctx.noise();
  let x = ctx.x;
  const d = new Float32Array(x.length);
  const d2 = new Float32Array(x.length);
  for (let i = 0; i < sigmas.length - 1; i++) {
    const sigma = sigmas[i]!;
    const denoised = await ctx.model(x, sigma);
    const [down, up] = ancestralStep(sigma, sigmas[i + 1]!);
    ctx.callback(i, denoised, x);
    toD(x, sigma, denoised, d);
    if (down === 0) {
      x = addScaled(x, d, f(down - sigma));
      continue;
    }
    const mid = logMidpoint(sigma, down);
    const x2 = addScaled(x, d, f(mid - sigma));
    toD(x2, mid, await ctx.model(x2, mid), d2);
    x = addScaled(x, d2, f(down - sigma));
    x = addScaled(x, noise(sigma, sigmas[i + 1]!), up);
  }
  return x;
}

/** Heun++ (Carzit's sd-webui-samplers-scheduler): up to three evaluations a step with σ-weighted slopes. */
export async function sampleHeunpp2(ctx: SamplerContext): Promise<Float32Array> {
  const { sigmas } = ctx;
  const end = sigmas[sigmas.length - 1]!;
  let x = ctx.x;
  const d = new Float32Array(x.length);
  const d2 = new Float32Array(x.length);
  const d3 = new Float32Array(x.length);
  for (let i = 0; i < sigmas.length - 1; i++) {
    const sigma = sigmas[i]!;
    const next = sigmas[i + 1]!;
    const denoised = await ctx.model(x, sigma);
    toD(x, sigma, denoised, d);
    ctx.callback(i, denoised, x);
    const dt = f(next - sigma);
    if (next === end) {
      x = addScaled(x, d, dt);
      continue;
    }
    const x2 = addScaled(x, d, dt);
    toD(x2, next, await ctx.model(x2, next), d2);
    const out = new Float32Array(x.length);
    if (sigmas[i + 2] === end) {
      const w2 = f(next / f(2 * sigmas[0]!));
      const w1 = f(1 - w2);
      for (let k = 0; k < x.length; k++) out[k] = x[k]! + f(f(f(d[k]! * w1) + f(d2[k]! * w2)) * dt);
    } else {
      const after = sigmas[i + 2]!;
      const x3 = addScaled(x2, d2, f(after - next));
      toD(x3, after, await ctx.model(x3, after), d3);
      const w = f(3 * sigmas[0]!);
      const w2 = f(next / w);
      const w3 = f(after / w);
      const w1 = f(f(1 - w2) - w3);
      for (let k = 0; k < x.length; k++) {
        out[k] = x[k]! + f(f(f(f(w1 * d[k]!) + f(w2 * d2[k]!)) + f(w3 * d3[k]!)) * dt);
      }
    }
    x = out;
  }
  return x;
}

// Gauss–Legendre nodes and weights on [-1, 1]; 4 points integrate LMS's cubic Lagrange basis exactly
// (ComfyUI uses scipy's adaptive quad, which is exact on these polynomials up to rounding).
const GL_NODES = [-0.8611363115940526, -0.33998104358485626, 0.33998104358485626, 0.8611363115940526];
const GL_WEIGHTS = [0.34785484513745385, 0.6521451548625461, 0.6521451548625461, 0.34785484513745385];

/** The LMS coefficient ∫_{t_i}^{t_{i+1}} ∏_{k≠j} (τ - t_{i-k}) / (t_{i-j} - t_{i-k}) dτ (float64). */
export function linearMultistepCoeff(order: number, t: ArrayLike<number>, i: number, j: number): number {
  const a = t[i]!;
  const b = t[i + 1]!;
  let sum = 0;
  for (let q = 0; q < GL_NODES.length; q++) {
    const tau = (a + b) / 2 + ((b - a) / 2) * GL_NODES[q]!;
    let prod = 1;
    for (let k = 0; k < order; k++) {
      if (k === j) continue;
      prod *= (tau - t[i - k]!) / (t[i - j]! - t[i - k]!);
    }
    sum += GL_WEIGHTS[q]! * prod;
  }
  return (sum * (b - a)) / 2;
}

/** Linear multistep (order 4) on the σ-derivatives. */
export async function sampleLms(ctx: SamplerContext): Promise<Float32Array> {
  const { sigmas } = ctx;
  const order = 4;
  let x = ctx.x;
  const ds: Float32Array[] = [];
  for (let i = 0; i < sigmas.length - 1; i++) {
    const sigma = sigmas[i]!;
    const denoised = await ctx.model(x, sigma);
    ds.push(toD(x, sigma, denoised));
    if (ds.length > order) ds.shift();
    ctx.callback(i, denoised, x);
    if (sigmas[i + 1] === 0) {
      x = denoised;
      continue;
    }
    const curOrder = Math.min(i + 1, order);
    const coeffs = Array.from({ length: curOrder }, (_, j) => f(linearMultistepCoeff(curOrder, sigmas, i, j)));
    const sum = new Float32Array(x.length);
    for (let j = 0; j < curOrder; j++) {
      const dj = ds[ds.length - 1 - j]!;
      const c = coeffs[j]!;
      for (let k = 0; k < x.length; k++) sum[k] = sum[k]! + f(c * dj[k]!);
    }
    const out = new Float32Array(x.length);
    for (let k = 0; k < x.length; k++) out[k] = x[k]! + sum[k]!;
    x = out;
  }
  return x;
}
