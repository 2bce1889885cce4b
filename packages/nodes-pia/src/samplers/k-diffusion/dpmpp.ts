/**
 * DPM-Solver++ samplers (Lu et al. 2022, arXiv 2211.01095) in k-diffusion's form, on t = -log σ (the
 * half-logSNR of an EPS model): 2S ancestral, SDE (midpoint, with the SDE noise), 2M, 2M SDE (midpoint
 * or Heun) and 3M SDE.
 */
import { f, fexp, fexpm1, fsqrt } from '../f32.js';
import { addScaled, ancestralStep, sigmaOfT, tOfSigma, toD, type SamplerContext } from './context.js';

/** σ_min (smallest non-zero) and σ_max of a schedule, the interval a Brownian tree is built over. */
export function positiveSigmaRange(sigmas: Float32Array): [min: number, max: number] {
  let min = Infinity;
  let max = -Infinity;
  for (const s of sigmas) {
    if (s > 0 && s < min) min = s;
    if (s > max) max = s;
  }
  return [min, max];
}

/** DPM-Solver++(2S) to σ_down with a midpoint evaluation, then noise of σ_up. */
export async function sampleDpmpp2sAncestral(ctx: SamplerContext): Promise<Float32Array> {
  const { sigmas } = ctx;
  const noise = ctx.noise();
  let x = ctx.x;
  for (let i = 0; i < sigmas.length - 1; i++) {
    const sigma = sigmas[i]!;
    const denoised = await ctx.model(x, sigma);
    const [down, up] = ancestralStep(sigma, sigmas[i + 1]!);
    ctx.callback(i, denoised, x);
    if (down === 0) {
      x = addScaled(x, toD(x, sigma, denoised), f(down - sigma));
    } else {
      const t = tOfSigma(sigma);
      const tNext = tOfSigma(down);
      const h = f(tNext - t);
      const s = f(t + f(0.5 * h));
      const a = f(sigmaOfT(s) / sigmaOfT(t));
      const b = fexpm1(f(-h * 0.5));
      const x2 = new Float32Array(x.length);
      for (let k = 0; k < x.length; k++) x2[k] = f(a * x[k]!) - f(b * denoised[k]!);
      const denoised2 = await ctx.model(x2, sigmaOfT(s));
      const c = f(sigmaOfT(tNext) / sigmaOfT(t));
      const e = fexpm1(-h);
      const out = new Float32Array(x.length);
      for (let k = 0; k < x.length; k++) out[k] = f(c * x[k]!) - f(e * denoised2[k]!);
      x = out;
    }
    if (sigmas[i + 1]! > 0) x = addScaled(x, noise(sigma, sigmas[i + 1]!), up);
  }
  return x;
}

/** DPM-Solver++ (stochastic, r = 1/2): a midpoint stage and a full stage, each with SDE noise. */
export async function sampleDpmppSde(ctx: SamplerContext): Promise<Float32Array> {
  const { sigmas } = ctx;
  let x = ctx.x;
  if (sigmas.length <= 1) return x;
  const noise = ctx.brownianNoise(...positiveSigmaRange(sigmas));
  const r = 0.5;
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
    const lambdaS1 = f(lambdaS + f(r * h));
    const sigmaS1 = sigmaOfT(lambdaS1);
    const alphaS = f(sigma * fexp(lambdaS));
    const alphaS1 = f(sigmaS1 * fexp(lambdaS1));
    const alphaT = f(next * fexp(lambdaT));

    // Stage 1
    let [sd, su] = ancestralStep(sigmaOfT(lambdaS), sigmaOfT(lambdaS1));
    let hh = f(tOfSigma(sd) - lambdaS);
    let a = f(f(alphaS1 / alphaS) * fexp(-hh));
    let b = f(alphaS1 * fexpm1(-hh));
    const x2 = new Float32Array(x.length);
    const n1 = noise(sigma, sigmaS1);
    for (let k = 0; k < x.length; k++) x2[k] = f(f(a * x[k]!) - f(b * denoised[k]!)) + f(f(alphaS1 * n1[k]!) * su);
    const denoised2 = await ctx.model(x2, sigmaS1);

    // Stage 2 (fac = 1: the combination is denoised_2 itself)
    [sd, su] = ancestralStep(sigmaOfT(lambdaS), sigmaOfT(lambdaT));
    hh = f(tOfSigma(sd) - lambdaS);
    a = f(f(alphaT / alphaS) * fexp(-hh));
    b = f(alphaT * fexpm1(-hh));
    const n2 = noise(sigma, next);
    const out = new Float32Array(x.length);
    for (let k = 0; k < x.length; k++) {
      const dd = f(0 * denoised[k]!) + denoised2[k]!;
      out[k] = f(f(a * x[k]!) - f(b * f(dd))) + f(f(alphaT * n2[k]!) * su);
    }
    x = out;
  }
  return x;
}

/** DPM-Solver++(2M): second-order multistep on the denoised predictions. */
export async function sampleDpmpp2m(ctx: SamplerContext): Promise<Float32Array> {
  const { sigmas } = ctx;
  let x = ctx.x;
  let old: Float32Array | null = null;
  for (let i = 0; i < sigmas.length - 1; i++) {
    const sigma = sigmas[i]!;
    const next = sigmas[i + 1]!;
    const denoised = await ctx.model(x, sigma);
    ctx.callback(i, denoised, x);
    const t = tOfSigma(sigma);
    const tNext = tOfSigma(next);
    const h = f(tNext - t);
    const c = f(sigmaOfT(tNext) / sigmaOfT(t));
    const e = fexpm1(-h);
    const out = new Float32Array(x.length);
    if (old === null || next === 0) {
      for (let k = 0; k < x.length; k++) out[k] = f(c * x[k]!) - f(e * denoised[k]!);
    } else {
      const hLast = f(t - tOfSigma(sigmas[i - 1]!));
      const r = f(hLast / h);
      const inv2r = f(1 / f(2 * r));
      const w = f(1 + inv2r);
      for (let k = 0; k < x.length; k++) {
        const dd = f(f(w * denoised[k]!) - f(inv2r * old[k]!));
        out[k] = f(c * x[k]!) - f(e * dd);
      }
    }
    x = out;
    old = denoised;
  }
  return x;
}

/** DPM-Solver++(2M) SDE (eta 1), midpoint or Heun correction. */
export async function sampleDpmpp2mSde(ctx: SamplerContext, solverType: 'midpoint' | 'heun' = 'midpoint'): Promise<Float32Array> {
  const { sigmas } = ctx;
  let x = ctx.x;
  if (sigmas.length <= 1) return x;
  const noise = ctx.brownianNoise(...positiveSigmaRange(sigmas));
  const eta = 1;
  let old: Float32Array | null = null;
  let h = NaN;
  let hLast = NaN;
  for (let i = 0; i < sigmas.length - 1; i++) {
    const sigma = sigmas[i]!;
    const next = sigmas[i + 1]!;
    const denoised = await ctx.model(x, sigma);
    ctx.callback(i, denoised, x);
    if (next === 0) {
      x = denoised;
    } else {
      const lambdaS = tOfSigma(sigma);
      const lambdaT = tOfSigma(next);
      h = f(lambdaT - lambdaS);
      const hEta = f(h * (eta + 1));
      const alphaT = f(next * fexp(lambdaT));
      const em = -fexpm1(-hEta);
      const a = f(f(next / sigma) * fexp(f(-h * eta)));
      const b = f(alphaT * em);
      let corr = 0;
      if (old !== null) {
        const invR = f(1 / f(hLast / h));
        corr =
          solverType === 'heun'
            ? f(f(alphaT * f(f(em / -hEta) + 1)) * invR)
            : f(f(f(0.5 * alphaT) * em) * invR);
      }
      const q = fsqrt(-fexpm1(f(f(-2 * h) * eta)));
      const n = noise(sigma, next);
      const out = new Float32Array(x.length);
      for (let k = 0; k < x.length; k++) {
        let v = f(f(a * x[k]!) + f(b * denoised[k]!));
        if (old !== null) v = f(v + f(corr * f(denoised[k]! - old[k]!)));
        out[k] = v + f(f(n[k]! * next) * q);
      }
      x = out;
    }
    old = denoised;
    hLast = h;
  }
  return x;
}

/** DPM-Solver++(3M) SDE (eta 1). */
export async function sampleDpmpp3mSde(ctx: SamplerContext): Promise<Float32Array> {
  const { sigmas } = ctx;
  let x = ctx.x;
  if (sigmas.length <= 1) return x;
  const noise = ctx.brownianNoise(...positiveSigmaRange(sigmas));
  const eta = 1;
  let d1: Float32Array | null = null;
  let d2: Float32Array | null = null;
  let h = NaN;
  let h1 = NaN;
  let h2 = NaN;
  for (let i = 0; i < sigmas.length - 1; i++) {
    const sigma = sigmas[i]!;
    const next = sigmas[i + 1]!;
    const denoised = await ctx.model(x, sigma);
    ctx.callback(i, denoised, x);
    if (next === 0) {
      x = denoised;
    } else {
      const lambdaS = tOfSigma(sigma);
      const lambdaT = tOfSigma(next);
      h = f(lambdaT - lambdaS);
      const hEta = f(h * (eta + 1));
      const alphaT = f(next * fexp(lambdaT));
      const a = f(f(next / sigma) * fexp(f(-h * eta)));
      const b = f(alphaT * -fexpm1(-hEta));
      const out = new Float32Array(x.length);
      for (let k = 0; k < x.length; k++) out[k] = f(a * x[k]!) + f(b * denoised[k]!);
      const phi2 = f(f(fexpm1(-hEta) / hEta) + 1);
      if (!Number.isNaN(h2) && d1 && d2) {
        const r0 = f(h1 / h);
        const r1 = f(h2 / h);
        const r01 = f(r0 + r1);
        const phi3 = f(f(phi2 / hEta) - 0.5);
        const c2 = f(alphaT * phi2);
        const c3 = f(alphaT * phi3);
        for (let k = 0; k < x.length; k++) {
          const d10 = f(f(denoised[k]! - d1[k]!) / r0);
          const d11 = f(f(d1[k]! - d2[k]!) / r1);
          const diff = f(d10 - d11);
          const dd1 = f(d10 + f(f(diff * r0) / r01));
          const dd2 = f(diff / r01);
          out[k] = f(out[k]! + f(c2 * dd1)) - f(c3 * dd2);
        }
      } else if (!Number.isNaN(h1) && d1) {
        const r = f(h1 / h);
        const c2 = f(alphaT * phi2);
        for (let k = 0; k < x.length; k++) out[k] = out[k]! + f(c2 * f(f(denoised[k]! - d1[k]!) / r));
      }
      const q = fsqrt(-fexpm1(f(f(-2 * h) * eta)));
      const n = noise(sigma, next);
      for (let k = 0; k < x.length; k++) out[k] = out[k]! + f(f(n[k]! * next) * q);
      x = out;
    }
    d2 = d1;
    d1 = denoised;
    h2 = h1;
    h1 = h;
  }
  return x;
}
