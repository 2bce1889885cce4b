/**
 * SA-Solver (Xue et al., NeurIPS 2023, arXiv 2309.05019): stochastic Adams predictor (order 3) and corrector
 * (order 4) on the half-logSNR λ = -log σ, with noise (τ = 1) only while σ lies between ComfyUI's
 * percent_to_sigma(0.8) and percent_to_sigma(0.2). The b coefficients come from a Vandermonde solve,
 * done here in float64.
 */
import { logGamma } from '../beta-distribution.js';
import { f, fexp, fexpm1, fsqrt } from '../f32.js';
import { tOfSigma, type SamplerContext } from './context.js';
import { solveLinear } from './linalg.js';

/** (1 + τ²)·∫ exp((1 + τ²)x)·x^p dx from s to t, exp((1 + τ²)t) factored out, for p = 0 … order - 1. */
function exponentialCoeffs(s: number, t: number, order: number, tau: number): number[] {
  const tauMul = 1 + tau * tau;
  const h = t - s;
  const terms = Array.from({ length: order }, (_, p) => t ** p - s ** p * Math.exp(-tauMul * h));
  const logFact = Array.from({ length: order }, (_, p) => logGamma(p + 1));
  return Array.from({ length: order }, (_, a) => {
    let sum = 0;
    for (let b = 0; b <= a; b++) {
      const depth = a - b;
      let c = logFact[a]! - logFact[b]!;
      if (tau > 0) c -= depth * Math.log(tauMul);
      sum += (depth % 2 === 0 ? 1 : -1) * Math.exp(c) * terms[b]!;
    }
    return sum;
  });
}

/** The b coefficients of the λ points `lambdas` for the step λ_s → λ_t ending at σ_next (eqs. 15 and 18). */
export function stochasticAdamsCoeffs(sigmaNext: number, lambdas: readonly number[], lambdaS: number, lambdaT: number, tau: number): number[] {
  const n = lambdas.length;
  const integrals = exponentialCoeffs(lambdaS, lambdaT, n, tau);
  const vandermondeT = Array.from({ length: n }, (_, p) => lambdas.map((l) => l ** p));
  const lagrange = solveLinear(vandermondeT, integrals);
  const alphaT = sigmaNext * Math.exp(lambdaT);
  return lagrange.map((v) => alphaT * v);
}

export async function sampleSaSolver(ctx: SamplerContext, usePece = false): Promise<Float32Array> {
  const { sigmas } = ctx;
  let x = ctx.x;
  if (sigmas.length <= 1) return x;
  const predictorOrder = 3;
  const correctorOrder = 4;
  const sNoise = 1;
  const noiseSampler = ctx.noise();
  const lambdas = Array.from(sigmas, tOfSigma);
  const startSigma = ctx.modelSampling.percentToSigma(0.2);
  const endSigma = ctx.modelSampling.percentToSigma(0.8);
  const tauOf = (sigma: number): number => (startSigma >= sigma && sigma >= endSigma ? 1 : 0);
  const maxOrder = Math.max(predictorOrder, correctorOrder);
  let xPred = x;
  let h = 0;
  let tau = 0;
  let noise: Float32Array | null = null;
  let preds: Float32Array[] = [];
  const lowerOrderToEnd = sigmas[sigmas.length - 1] === 0;
  const combine = (coeffs: number[], list: Float32Array[], k: number): number => {
    let acc = 0;
    for (let j = 0; j < coeffs.length; j++) acc += list[j]![k]! * coeffs[j]!;
    return acc;
  };
  for (let i = 0; i < sigmas.length - 1; i++) {
    const sigma = sigmas[i]!;
    const next = sigmas[i + 1]!;
    let denoised = await ctx.model(xPred, sigma);
    ctx.callback(i, denoised, xPred);
    preds.push(denoised);
    preds = preds.slice(-maxOrder);
    let predictorUsed = Math.min(predictorOrder, preds.length);
    let correctorUsed = i === 0 || (next === 0 && !usePece) ? 0 : Math.min(correctorOrder, preds.length);
    if (lowerOrderToEnd) {
      predictorUsed = Math.min(predictorUsed, sigmas.length - 2 - i);
      correctorUsed = Math.min(correctorUsed, sigmas.length - 1 - i);
    }

    // Corrector
    if (correctorUsed === 0) {
      x = xPred;
    } else {
      const b = stochasticAdamsCoeffs(sigma, lambdas.slice(i - correctorUsed + 1, i + 1), lambdas[i - 1]!, lambdas[i]!, tau).map(f);
      const used = preds.slice(-correctorUsed);
      const decay = f(f(sigma / sigmas[i - 1]!) * fexp(f(f(-f(tau * tau)) * h)));
      const out = new Float32Array(x.length);
      for (let k = 0; k < x.length; k++) out[k] = f(decay * x[k]!) + f(combine(b, used, k));
      if (tau > 0 && sNoise > 0 && noise) for (let k = 0; k < x.length; k++) out[k] = out[k]! + noise[k]!;
      x = out;
      if (usePece) {
        denoised = await ctx.model(x, sigma);
        preds[preds.length - 1] = denoised;
      }
    }

    // Predictor
    if (next === 0) {
      xPred = denoised;
    } else {
      tau = tauOf(next);
      const b = stochasticAdamsCoeffs(next, lambdas.slice(i - predictorUsed + 1, i + 1), lambdas[i]!, lambdas[i + 1]!, tau).map(f);
      const used = preds.slice(-predictorUsed);
      h = f(lambdas[i + 1]! - lambdas[i]!);
      const decay = f(f(next / sigma) * fexp(f(f(-f(tau * tau)) * h)));
      const out = new Float32Array(x.length);
      for (let k = 0; k < x.length; k++) out[k] = f(decay * x[k]!) + f(combine(b, used, k));
      if (tau > 0 && sNoise > 0) {
        const q = fsqrt(-fexpm1(f(f(f(-2 * f(tau * tau))) * h)));
        const n = noiseSampler(sigma, next);
        noise = new Float32Array(x.length);
        for (let k = 0; k < x.length; k++) {
          noise[k] = f(f(f(n[k]! * next) * q) * sNoise);
          out[k] = out[k]! + noise[k]!;
        }
      }
      xPred = out;
    }
  }
  return xPred;
}
