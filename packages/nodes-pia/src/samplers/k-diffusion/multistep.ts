/**
 * Multistep samplers on the σ-derivative d = (x - D) / σ: iPNDM and its variable-step form (zju-pi's
 * diff-sampler), DEIS (tab mode), and gradient estimation (Permenter & Yuan). These pass the *initial* x to
 * the callback, as ComfyUI's do.
 */
import { f } from '../f32.js';
import { addScaled, toD, type SamplerContext } from './context.js';
import { deisCoefficients } from './deis-coefficients.js';

/** Keeps the last `size` derivatives, newest last. */
function pushHistory(buffer: Float32Array[], d: Float32Array, size: number): void {
  if (buffer.length === size) buffer.shift();
  buffer.push(d);
}

/** iPNDM (Adams–Bashforth with fixed coefficients, up to order 4). */
export async function sampleIpndm(ctx: SamplerContext): Promise<Float32Array> {
  const { sigmas } = ctx;
  const maxOrder = 4;
  let x = ctx.x;
  const history: Float32Array[] = [];
  for (let i = 0; i < sigmas.length - 1; i++) {
    const tCur = sigmas[i]!;
    const tNext = sigmas[i + 1]!;
    const denoised = await ctx.model(x, tCur);
    ctx.callback(i, denoised, ctx.x);
    const d = toD(x, tCur, denoised);
    const order = Math.min(maxOrder, i + 1);
    const dt = f(tNext - tCur);
    const b1 = history[history.length - 1]!;
    const b2 = history[history.length - 2]!;
    const b3 = history[history.length - 3]!;
    const out = new Float32Array(x.length);
    if (tNext === 0) {
      out.set(denoised);
    } else if (order === 1) {
      for (let k = 0; k < x.length; k++) out[k] = x[k]! + f(dt * d[k]!);
    } else if (order === 2) {
      for (let k = 0; k < x.length; k++) out[k] = x[k]! + f(f(dt * f(f(3 * d[k]!) - b1[k]!)) / 2);
    } else if (order === 3) {
      for (let k = 0; k < x.length; k++) {
        const comb = f(f(f(23 * d[k]!) - f(16 * b1[k]!)) + f(5 * b2[k]!));
        out[k] = x[k]! + f(f(dt * comb) / 12);
      }
    } else {
      for (let k = 0; k < x.length; k++) {
        const comb = f(f(f(f(55 * d[k]!) - f(59 * b1[k]!)) + f(37 * b2[k]!)) - f(9 * b3[k]!));
        out[k] = x[k]! + f(f(dt * comb) / 24);
      }
    }
    pushHistory(history, d, maxOrder - 1);
    x = out;
  }
  return x;
}

/** iPNDM with coefficients for variable step sizes (up to order 4), computed in float64. */
export async function sampleIpndmV(ctx: SamplerContext): Promise<Float32Array> {
  const { sigmas: t } = ctx;
  const maxOrder = 4;
  let x = ctx.x;
  const history: Float32Array[] = [];
  for (let i = 0; i < t.length - 1; i++) {
    const tCur = t[i]!;
    const tNext = t[i + 1]!;
    const denoised = await ctx.model(x, tCur);
    ctx.callback(i, denoised, ctx.x);
    const d = toD(x, tCur, denoised);
    const order = Math.min(maxOrder, i + 1);
    const dt = f(tNext - tCur);
    let coeffs: number[] = [];
    if (tNext !== 0 && order > 1) {
      const hn = tNext - tCur;
      const hn1 = tCur - t[i - 1]!;
      if (order === 2) {
        coeffs = [(2 + hn / hn1) / 2, -(hn / hn1) / 2];
      } else {
        const hn2 = t[i - 1]! - t[i - 2]!;
        const temp1 = (1 - (hn / (3 * (hn + hn1))) * ((hn * (hn + hn1)) / (hn1 * (hn1 + hn2)))) / 2;
        if (order === 3) {
          coeffs = [(2 + hn / hn1) / 2 + temp1, -(hn / hn1) / 2 - (1 + hn1 / hn2) * temp1, (temp1 * hn1) / hn2];
        } else {
          const hn3 = t[i - 2]! - t[i - 3]!;
          const temp2 =
            ((1 - hn / (3 * (hn + hn1))) / 2 + ((1 - hn / (2 * (hn + hn1))) * hn) / (6 * (hn + hn1 + hn2))) *
            ((hn * (hn + hn1) * (hn + hn1 + hn2)) / (hn1 * (hn1 + hn2) * (hn1 + hn2 + hn3)));
          const q = (hn1 * (hn1 + hn2)) / (hn2 * (hn2 + hn3));
          coeffs = [
            (2 + hn / hn1) / 2 + temp1 + temp2,
            -(hn / hn1) / 2 - (1 + hn1 / hn2) * temp1 - (1 + hn1 / hn2 + q) * temp2,
            (temp1 * hn1) / hn2 + (hn1 / hn2 + q * (1 + hn2 / hn3)) * temp2,
            ((-temp2 * q) * hn1) / hn2,
          ];
        }
      }
    }
    const out = new Float32Array(x.length);
    if (tNext === 0) {
      out.set(denoised);
    } else if (order === 1) {
      for (let k = 0; k < x.length; k++) out[k] = x[k]! + f(dt * d[k]!);
    } else {
      const c = coeffs.map(f);
      const bufs = [d, ...history.slice().reverse()];
      for (let k = 0; k < x.length; k++) {
        let comb = f(c[0]! * d[k]!);
        for (let j = 1; j < c.length; j++) comb = f(comb + f(c[j]! * bufs[j]![k]!));
        out[k] = x[k]! + f(dt * comb);
      }
    }
    pushHistory(history, d, maxOrder - 1);
    x = out;
  }
  return x;
}

/** DEIS (Zhang & Chen 2022), tab mode, order 3: multistep with coefficients integrated on the VP time axis. */
export async function sampleDeis(ctx: SamplerContext): Promise<Float32Array> {
  const { sigmas } = ctx;
  const maxOrder = 3;
  const coeffList = deisCoefficients(sigmas, maxOrder);
  let x = ctx.x;
  const history: Float32Array[] = [];
  for (let i = 0; i < sigmas.length - 1; i++) {
    const tCur = sigmas[i]!;
    const tNext = sigmas[i + 1]!;
    const denoised = await ctx.model(x, tCur);
    ctx.callback(i, denoised, ctx.x);
    const d = toD(x, tCur, denoised);
    let order = Math.min(maxOrder, i + 1);
    if (tNext <= 0) order = 1;
    let out: Float32Array;
    if (order === 1) {
      out = new Float32Array(x.length);
      const dt = f(tNext - tCur);
      for (let k = 0; k < x.length; k++) out[k] = x[k]! + f(dt * d[k]!);
    } else {
      const c = coeffList[i]!.map(f);
      out = addScaled(x, d, c[0]!);
      for (let j = 1; j < order; j++) out = addScaled(out, history[history.length - j]!, c[j]!);
    }
    pushHistory(history, d, maxOrder - 1);
    x = out;
  }
  return x;
}

/** Gradient estimation (γ = 2): Euler plus a correction from the change in d; CFG++ steps on the uncond. */
export async function sampleGradientEstimation(ctx: SamplerContext, cfgPp = false): Promise<Float32Array> {
  const { sigmas } = ctx;
  const geGamma = 2;
  let x = ctx.x;
  let oldD: Float32Array | null = null;
  for (let i = 0; i < sigmas.length - 1; i++) {
    const sigma = sigmas[i]!;
    const next = sigmas[i + 1]!;
    let denoised: Float32Array;
    let d: Float32Array;
    if (cfgPp) {
      const both = await ctx.modelWithUncond(x, sigma);
      denoised = both.denoised;
      d = toD(x, sigma, both.uncond);
    } else {
      denoised = await ctx.model(x, sigma);
      d = toD(x, sigma, denoised);
    }
    ctx.callback(i, denoised, x);
    const dt = f(next - sigma);
    if (next === 0) {
      x = denoised;
    } else {
      x = cfgPp ? addScaled(denoised, d, next) : addScaled(x, d, dt);
      if (i >= 1 && oldD) {
        const out = new Float32Array(x.length);
        for (let k = 0; k < x.length; k++) out[k] = x[k]! + f(f(f(geGamma - 1) * f(d[k]! - oldD[k]!)) * dt);
        x = out;
      }
    }
    oldD = d;
  }
  return x;
}
