/**
 * CFG++ samplers (Chung et al. 2024, arXiv 2406.08070): they step along the *unconditional* prediction and
 * renoise with the guided one. Each model call needs both predictions, so the cfg-1 shortcut is off.
 */
import { f, fexp, fexpm1 } from '../f32.js';
import { addScaled, ancestralStep, sigmaOfT, tOfSigma, type SamplerContext } from './context.js';

/** Euler ancestral CFG++ (eta 1, s_noise 1); with eta = 0 it is `euler_cfg_pp`. */
export async function sampleEulerAncestralCfgPp(ctx: SamplerContext, eta = 1, sNoise = 1): Promise<Float32Array> {
  const { sigmas } = ctx;
  const noise = eta > 0 && sNoise > 0 ? ctx.noise() : null;
  let x = ctx.x;
  for (let i = 0; i < sigmas.length - 1; i++) {
    const sigma = sigmas[i]!;
    const next = sigmas[i + 1]!;
    const { denoised, uncond } = await ctx.modelWithUncond(x, sigma);
    ctx.callback(i, denoised, x);
    if (next === 0) {
      x = denoised;
      continue;
    }
    const alphaS = f(sigma * fexp(tOfSigma(sigma)));
    const alphaT = f(next * fexp(tOfSigma(next)));
    const d = new Float32Array(x.length);
    for (let k = 0; k < x.length; k++) d[k] = f(x[k]! - f(alphaS * uncond[k]!)) / sigma;
    const [down0, up] = ancestralStep(f(sigma / alphaS), f(next / alphaT), eta);
    const down = f(alphaT * down0);
    const out = new Float32Array(x.length);
    for (let k = 0; k < x.length; k++) out[k] = f(alphaT * denoised[k]!) + f(down * d[k]!);
    if (noise) {
      const n = noise(sigma, next);
      for (let k = 0; k < x.length; k++) out[k] = out[k]! + f(f(f(alphaT * n[k]!) * sNoise) * up);
    }
    x = out;
  }
  return x;
}

/** DPM-Solver++(2S) ancestral CFG++. */
export async function sampleDpmpp2sAncestralCfgPp(ctx: SamplerContext): Promise<Float32Array> {
  const { sigmas } = ctx;
  const noise = ctx.noise();
  let x = ctx.x;
  for (let i = 0; i < sigmas.length - 1; i++) {
    const sigma = sigmas[i]!;
    const { denoised, uncond } = await ctx.modelWithUncond(x, sigma);
    const [down, up] = ancestralStep(sigma, sigmas[i + 1]!);
    ctx.callback(i, denoised, x);
    const out = new Float32Array(x.length);
    if (down === 0) {
      for (let k = 0; k < x.length; k++) out[k] = denoised[k]! + f(f(f(x[k]! - uncond[k]!) / sigma) * down);
    } else {
      const t = tOfSigma(sigma);
      const tNext = tOfSigma(down);
      const h = f(tNext - t);
      const s = f(t + f(0.5 * h));
      const a = f(sigmaOfT(s) / sigmaOfT(t));
      const b = fexpm1(f(-h * 0.5));
      const x2 = new Float32Array(x.length);
      for (let k = 0; k < x.length; k++) x2[k] = f(a * f(x[k]! + f(denoised[k]! - uncond[k]!))) - f(b * denoised[k]!);
      // ComfyUI reads the uncond from a hook that the second evaluation has overwritten by now: the final
      // update uses the uncond at x_2, not at x.
      const second = await ctx.modelWithUncond(x2, sigmaOfT(s));
      const c = f(sigmaOfT(tNext) / sigmaOfT(t));
      const e = fexpm1(-h);
      for (let k = 0; k < x.length; k++) {
        out[k] = f(c * f(x[k]! + f(denoised[k]! - second.uncond[k]!))) - f(e * second.denoised[k]!);
      }
    }
    x = out;
    if (sigmas[i + 1]! > 0) x = addScaled(x, noise(sigma, sigmas[i + 1]!), up);
  }
  return x;
}

/** DPM-Solver++(2M) CFG++. */
export async function sampleDpmpp2mCfgPp(ctx: SamplerContext): Promise<Float32Array> {
  const { sigmas } = ctx;
  let x = ctx.x;
  let oldUncond: Float32Array | null = null;
  for (let i = 0; i < sigmas.length - 1; i++) {
    const sigma = sigmas[i]!;
    const next = sigmas[i + 1]!;
    const { denoised, uncond } = await ctx.modelWithUncond(x, sigma);
    ctx.callback(i, denoised, x);
    const t = tOfSigma(sigma);
    const h = f(tOfSigma(next) - t);
    const decay = fexp(-h);
    const out = new Float32Array(x.length);
    if (oldUncond === null || next === 0) {
      for (let k = 0; k < x.length; k++) out[k] = f(denoised[k]! + f(-decay * uncond[k]!)) + f(decay * x[k]!);
    } else {
      const r = f(f(t - tOfSigma(sigmas[i - 1]!)) / h);
      const c = f(fexpm1(-h) * f(1 / f(2 * r)));
      for (let k = 0; k < x.length; k++) {
        const mix = f(f(-decay * uncond[k]!) - f(c * f(denoised[k]! - oldUncond[k]!)));
        out[k] = f(denoised[k]! + mix) + f(decay * x[k]!);
      }
    }
    x = out;
    oldUncond = uncond;
  }
  return x;
}
