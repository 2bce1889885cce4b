/**
 * SEEDS-2/3 (Gonzalez et al., NeurIPS 2023, arXiv 2305.14267): stochastic exponential derivative-free
 * solvers in data prediction, with the exponential Heun method (`exp_heun_2_x0`, r = 1, φ₂) as a special case.
 */
import { f, fexp, fexpm1, fsqrt } from '../f32.js';
import { sigmaOfT, tOfSigma, type SamplerContext } from './context.js';

/** torch.lerp(a, b, w) on float32 scalars (w < 0.5: a + w·(b - a), else b - (b - a)·(1 - w)). */
function lerp(a: number, b: number, w: number): number {
  const wf = f(w);
  const diff = f(b - a);
  return wf < 0.5 ? f(a + f(wf * diff)) : f(b - f(diff * f(1 - wf)));
}

/** h·φ₁(h) = expm1(h) and h·φ₂(h) = (expm1(h) - h)/h on float32 scalars. */
const eiPhi1 = (h: number): number => fexpm1(h);
const eiPhi2 = (h: number): number => f(f(fexpm1(h) - h) / h);

export interface Seeds2Options {
  eta: number;
  sNoise: number;
  r: number;
  solverType: 'phi_1' | 'phi_2';
}

/** SEEDS-2 (defaults eta 1, r ½, φ₁); `exp_heun_2_x0` = eta 0, r 1, φ₂. */
export async function sampleSeeds2(ctx: SamplerContext, options: Seeds2Options): Promise<Float32Array> {
  const { eta, sNoise, r, solverType } = options;
  const { sigmas } = ctx;
  const inject = eta > 0 && sNoise > 0;
  const noise = inject ? ctx.noise() : null;
  const fac = 1 / (2 * r);
  let x = ctx.x;
  for (let i = 0; i < sigmas.length - 1; i++) {
    const sigma = sigmas[i]!;
    const next = sigmas[i + 1]!;
    const denoised = await ctx.model(x, sigma);
    ctx.callback(i, denoised, x);
    if (next === 0) {
      x = denoised;
      continue;
    }
    const lambdaS = tOfSigma(sigma);
    const lambdaT = tOfSigma(next);
    const h = f(lambdaT - lambdaS);
    const hEta = f(h * f(eta + 1));
    const lambdaS1 = lerp(lambdaS, lambdaT, r);
    const sigmaS1 = sigmaOfT(lambdaS1);
    const alphaS1 = f(sigmaS1 * fexp(lambdaS1));
    const alphaT = f(next * fexp(lambdaT));

    const a1 = f(f(sigmaS1 / sigma) * fexp(f(f(f(-r) * h) * eta)));
    const b1 = f(alphaS1 * eiPhi1(f(f(-r) * hEta)));
    const x2 = new Float32Array(x.length);
    for (let k = 0; k < x.length; k++) x2[k] = f(a1 * x[k]!) - f(b1 * denoised[k]!);
    let sde: Float32Array | null = null;
    if (noise) {
      const q = fsqrt(-fexpm1(f(f(f(-2 * r) * h) * eta)));
      const n = noise(sigma, sigmaS1);
      sde = new Float32Array(x.length);
      for (let k = 0; k < x.length; k++) {
        sde[k] = f(q * n[k]!);
        x2[k] = x2[k]! + f(f(sde[k]! * sigmaS1) * sNoise);
      }
    }
    const denoised2 = await ctx.model(x2, sigmaS1);

    const a = f(f(next / sigma) * fexp(f(f(-h) * eta)));
    const out = new Float32Array(x.length);
    if (solverType === 'phi_1') {
      const b = f(alphaT * eiPhi1(-hEta));
      const w = f(fac);
      for (let k = 0; k < x.length; k++) {
        const diff = f(denoised2[k]! - denoised[k]!);
        const mixed = w < 0.5 ? f(denoised[k]! + f(w * diff)) : f(denoised2[k]! - f(diff * f(1 - w)));
        out[k] = f(a * x[k]!) - f(b * mixed);
      }
    } else {
      const c2 = f(eiPhi2(-hEta) / r);
      const c1 = f(eiPhi1(-hEta) - c2);
      for (let k = 0; k < x.length; k++) out[k] = f(a * x[k]!) - f(alphaT * f(f(c1 * denoised[k]!) + f(c2 * denoised2[k]!)));
    }
    if (noise && sde) {
      const segment = f(f(f(r - 1) * h) * eta);
      const decay = fexp(segment);
      const q = fsqrt(-fexpm1(f(segment * 2)));
      const n = noise(sigmaS1, next);
      for (let k = 0; k < x.length; k++) {
        const s = f(f(sde[k]! * decay) + f(q * n[k]!));
        out[k] = out[k]! + f(f(s * next) * sNoise);
      }
    }
    x = out;
  }
  return x;
}

/** SEEDS-3 (eta 1, r₁ = ⅓, r₂ = ⅔). */
export async function sampleSeeds3(ctx: SamplerContext): Promise<Float32Array> {
  const eta = 1;
  const sNoise = 1;
  const r1 = 1 / 3;
  const r2 = 2 / 3;
  const { sigmas } = ctx;
  const noise = ctx.noise();
  let x = ctx.x;
  for (let i = 0; i < sigmas.length - 1; i++) {
    const sigma = sigmas[i]!;
    const next = sigmas[i + 1]!;
    const denoised = await ctx.model(x, sigma);
    ctx.callback(i, denoised, x);
    if (next === 0) {
      x = denoised;
      continue;
    }
    const lambdaS = tOfSigma(sigma);
    const lambdaT = tOfSigma(next);
    const h = f(lambdaT - lambdaS);
    const hEta = f(h * f(eta + 1));
    const lambdaS1 = lerp(lambdaS, lambdaT, r1);
    const lambdaS2 = lerp(lambdaS, lambdaT, r2);
    const sigmaS1 = sigmaOfT(lambdaS1);
    const sigmaS2 = sigmaOfT(lambdaS2);
    const alphaS1 = f(sigmaS1 * fexp(lambdaS1));
    const alphaS2 = f(sigmaS2 * fexp(lambdaS2));
    const alphaT = f(next * fexp(lambdaT));

    // Stage 1
    const a1 = f(f(sigmaS1 / sigma) * fexp(f(f(f(-r1) * h) * eta)));
    const b1 = f(alphaS1 * eiPhi1(f(f(-r1) * hEta)));
    const x2 = new Float32Array(x.length);
    const sde = new Float32Array(x.length);
    const q1 = fsqrt(-fexpm1(f(f(f(-2 * r1) * h) * eta)));
    const n1 = noise(sigma, sigmaS1);
    for (let k = 0; k < x.length; k++) {
      sde[k] = f(q1 * n1[k]!);
      x2[k] = f(f(a1 * x[k]!) - f(b1 * denoised[k]!)) + f(f(sde[k]! * sigmaS1) * sNoise);
    }
    const denoised2 = await ctx.model(x2, sigmaS1);

    // Stage 2
    const a32 = f(f(r2 / r1) * eiPhi2(f(f(-r2) * hEta)));
    const a31 = f(eiPhi1(f(f(-r2) * hEta)) - a32);
    const a2 = f(f(sigmaS2 / sigma) * fexp(f(f(f(-r2) * h) * eta)));
    const seg2 = f(f(f(r1 - r2) * h) * eta);
    const decay2 = fexp(seg2);
    const q2 = fsqrt(-fexpm1(f(seg2 * 2)));
    const n2 = noise(sigmaS1, sigmaS2);
    const x3 = new Float32Array(x.length);
    for (let k = 0; k < x.length; k++) {
      const v = f(f(a2 * x[k]!) - f(alphaS2 * f(f(a31 * denoised[k]!) + f(a32 * denoised2[k]!))));
      sde[k] = f(f(sde[k]! * decay2) + f(q2 * n2[k]!));
      x3[k] = v + f(f(sde[k]! * sigmaS2) * sNoise);
    }
    const denoised3 = await ctx.model(x3, sigmaS2);

    // Stage 3
    const b3 = f(eiPhi2(-hEta) / f(r2));
    const c1 = f(eiPhi1(-hEta) - b3);
    const a = f(f(next / sigma) * fexp(f(f(-h) * eta)));
    const seg3 = f(f(f(r2 - 1) * h) * eta);
    const decay3 = fexp(seg3);
    const q3 = fsqrt(-fexpm1(f(seg3 * 2)));
    const n3 = noise(sigmaS2, next);
    const out = new Float32Array(x.length);
    for (let k = 0; k < x.length; k++) {
      const v = f(f(a * x[k]!) - f(alphaT * f(f(c1 * denoised[k]!) + f(b3 * denoised3[k]!))));
      const s = f(f(sde[k]! * decay3) + f(q3 * n3[k]!));
      out[k] = v + f(f(s * next) * sNoise);
    }
    x = out;
  }
  return x;
}
