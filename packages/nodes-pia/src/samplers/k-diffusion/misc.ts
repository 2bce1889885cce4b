/** DDPM and LCM (ancestral in VP form), RES multistep (arXiv 2308.02157) and ER-SDE-Solver-3 (arXiv 2309.06169). */
import { f, fexp, fexpm1, fsqrt } from '../f32.js';
import { addScaled, ancestralStep, sigmaOfT, tOfSigma, toD, type SamplerContext } from './context.js';

/** DDPM ancestral steps, done on the VP-scaled latent x / sqrt(1 + σ²). */
export async function sampleDdpm(ctx: SamplerContext): Promise<Float32Array> {
  const { sigmas } = ctx;
  const noise = ctx.noise();
  let x = ctx.x;
  for (let i = 0; i < sigmas.length - 1; i++) {
    const sigma = sigmas[i]!;
    const prev = sigmas[i + 1]!;
    const denoised = await ctx.model(x, sigma);
    ctx.callback(i, denoised, x);
    const inScale = fsqrt(f(1 + f(sigma * sigma)));
    const alphaCumprod = f(1 / f(f(sigma * sigma) + 1));
    const alphaCumprodPrev = f(1 / f(f(prev * prev) + 1));
    const alpha = f(alphaCumprod / alphaCumprodPrev);
    const a = fsqrt(f(1 / alpha));
    const b = f(1 - alpha);
    const c = fsqrt(f(1 - alphaCumprod));
    const out = new Float32Array(x.length);
    for (let k = 0; k < x.length; k++) {
      const eps = f(f(x[k]! - denoised[k]!) / sigma);
      out[k] = f(a * f(f(x[k]! / inScale) - f(f(b * eps) / c)));
    }
    if (prev > 0) {
      const q = fsqrt(f(f(f(b * f(1 - alphaCumprodPrev))) / f(1 - alphaCumprod)));
      const n = noise(sigma, prev);
      for (let k = 0; k < x.length; k++) out[k] = out[k]! + f(q * n[k]!);
      const outScale = fsqrt(f(1 + f(prev * prev)));
      for (let k = 0; k < x.length; k++) out[k] = f(out[k]! * outScale);
    }
    x = out;
  }
  return x;
}

/** LCM: jump to the denoised prediction, then renoise to the next σ (EPS noise scaling). */
export async function sampleLcm(ctx: SamplerContext): Promise<Float32Array> {
  const { sigmas } = ctx;
  const noise = ctx.noise();
  let x = ctx.x;
  for (let i = 0; i < sigmas.length - 1; i++) {
    const denoised = await ctx.model(x, sigmas[i]!);
    ctx.callback(i, denoised, x);
    x = denoised;
    const next = sigmas[i + 1]!;
    if (next > 0) x = ctx.modelSampling.noiseScaling(next, noise(sigmas[i]!, next), x, false);
  }
  return x;
}

/** expm1(t)/t and (φ₁(t) - 1)/t on float32 scalars. */
const phi1 = (t: number): number => f(fexpm1(t) / t);
const phi2 = (t: number): number => f(f(phi1(t) - 1) / t);
const nanToZero = (v: number): number => (Number.isNaN(v) ? 0 : v);

/** RES second-order multistep; eta 0 (`res_multistep`) or 1 (`_ancestral`), optionally CFG++. */
export async function sampleResMultistep(ctx: SamplerContext, eta: number, cfgPp: boolean): Promise<Float32Array> {
  const { sigmas } = ctx;
  const noise = ctx.noise();
  let x = ctx.x;
  let oldSigmaDown = NaN;
  let oldDenoised: Float32Array | null = null;
  for (let i = 0; i < sigmas.length - 1; i++) {
    const sigma = sigmas[i]!;
    const next = sigmas[i + 1]!;
    let denoised: Float32Array;
    let uncond: Float32Array | null = null;
    if (cfgPp) ({ denoised, uncond } = await ctx.modelWithUncond(x, sigma));
    else denoised = await ctx.model(x, sigma);
    const [down, up] = ancestralStep(sigma, next, eta);
    ctx.callback(i, denoised, x);
    if (down === 0 || oldDenoised === null) {
      x = uncond ? addScaled(denoised, toD(x, sigma, uncond), down) : addScaled(x, toD(x, sigma, denoised), f(down - sigma));
    } else {
      const t = tOfSigma(sigma);
      const tOld = tOfSigma(oldSigmaDown);
      const tNext = tOfSigma(down);
      const tPrev = tOfSigma(sigmas[i - 1]!);
      const h = f(tNext - t);
      const c2 = f(f(tPrev - tOld) / h);
      const p1 = phi1(-h);
      const p2 = phi2(-h);
      const b1 = nanToZero(f(p1 - f(p2 / c2)));
      const b2 = nanToZero(f(p2 / c2));
      const decay = sigmaOfT(h);
      const out = new Float32Array(x.length);
      const current = uncond ?? denoised;
      for (let k = 0; k < x.length; k++) {
        const base = uncond ? f(x[k]! + f(denoised[k]! - uncond[k]!)) : x[k]!;
        out[k] = f(decay * base) + f(h * f(f(b1 * current[k]!) + f(b2 * oldDenoised[k]!)));
      }
      x = out;
    }
    if (next > 0) {
      const n = noise(sigma, next); // drawn even when eta = 0 makes σ_up 0
      x = addScaled(x, n, up);
    }
    oldDenoised = uncond ?? denoised;
    oldSigmaDown = down;
  }
  return x;
}

/** ER-SDE's default noise scaler x·(e^(x^0.3) + 10). */
const erNoiseScaler = (v: number): number => f(v * f(fexp(f(v ** 0.3)) + 10));

/** ER-SDE-Solver-3 (VP, up to 3 stages), with the 200-point quadratures in float64. */
export async function sampleErSde(ctx: SamplerContext): Promise<Float32Array> {
  const { sigmas } = ctx;
  const noise = ctx.noise();
  const maxStage = 3;
  const points = 200;
  const lambdas = Float32Array.from(sigmas, (s) => sigmaOfT(tOfSigma(s)));
  let x = ctx.x;
  let oldDenoised: Float32Array | null = null;
  let oldDenoisedD: Float32Array | null = null;
  for (let i = 0; i < sigmas.length - 1; i++) {
    const sigma = sigmas[i]!;
    const next = sigmas[i + 1]!;
    const denoised = await ctx.model(x, sigma);
    ctx.callback(i, denoised, x);
    const stage = Math.min(maxStage, i + 1);
    if (next === 0) {
      x = denoised;
      oldDenoised = denoised;
      continue;
    }
    const ls = lambdas[i]!;
    const lt = lambdas[i + 1]!;
    const alphaS = f(sigma / ls);
    const alphaT = f(next / lt);
    const rAlpha = f(alphaT / alphaS);
    const r = f(erNoiseScaler(lt) / erNoiseScaler(ls));
    const out = new Float32Array(x.length);
    const a = f(rAlpha * r);
    const b = f(alphaT * f(1 - r));
    for (let k = 0; k < x.length; k++) out[k] = f(a * x[k]!) + f(b * denoised[k]!);
    if (stage >= 2 && oldDenoised) {
      const dt = f(lt - ls);
      const stepSize = f(-dt / points);
      let s = 0;
      let su = 0;
      for (let p = 0; p < points; p++) {
        const pos = f(lt + f(p * stepSize));
        const scaled = erNoiseScaler(pos);
        s += 1 / scaled;
        su += f(pos - ls) / scaled;
      }
      const sInt = f(f(s) * stepSize);
      const suInt = f(f(su) * stepSize);
      const scaledT = erNoiseScaler(lt);
      const denoisedD = new Float32Array(x.length);
      const span1 = f(ls - lambdas[i - 1]!);
      for (let k = 0; k < x.length; k++) denoisedD[k] = f(denoised[k]! - oldDenoised[k]!) / span1;
      const c2 = f(alphaT * f(dt + f(sInt * scaledT)));
      for (let k = 0; k < x.length; k++) out[k] = out[k]! + f(c2 * denoisedD[k]!);
      if (stage >= 3 && oldDenoisedD) {
        const span2 = f(f(ls - lambdas[i - 2]!) / 2);
        const c3 = f(alphaT * f(f(f(dt * dt) / 2) + f(suInt * scaledT)));
        for (let k = 0; k < x.length; k++) out[k] = out[k]! + f(c3 * f(f(denoisedD[k]! - oldDenoisedD[k]!) / span2));
      }
      oldDenoisedD = denoisedD;
    }
    const q = nanToZero(fsqrt(f(f(lt * lt) - f(f(ls * ls) * f(r * r)))));
    const n = noise(sigma, next);
    for (let k = 0; k < x.length; k++) out[k] = out[k]! + f(f(f(alphaT * n[k]!) * 1) * q);
    x = out;
    oldDenoised = denoised;
  }
  return x;
}
