/**
 * UniPC (Zhao et al. 2023, arXiv 2302.04867) as ComfyUI runs it: multistep, order min(3, steps - 1), data
 * prediction, B(h) = h (`bh1`) or expm1(h) (`bh2`), lower orders on the final steps, time-uniform on the
 * given σ list with its final 0 replaced by 0.001. It works on the VP-scaled latent x / sqrt(1 + σ²) and the
 * ε-prediction; every schedule quantity (α, σ_t, λ) is float32, including the cancellation in σ_t near σ = 0.
 */
import { f, fexp, fexpm1, flog, fsqrt } from '../f32.js';
import type { SamplerContext } from './context.js';
import { solveLinear } from './linalg.js';

export type UniPcVariant = 'bh1' | 'bh2';

/** ComfyUI's `SigmaConvert`: the VP schedule quantities of a k-diffusion σ, in float32. */
const logMeanCoeff = (s: number): number => f(0.5 * flog(f(1 / f(f(s * s) + 1))));
const marginalAlpha = (s: number): number => fexp(logMeanCoeff(s));
const marginalStd = (s: number): number => fsqrt(f(1 - fexp(f(2 * logMeanCoeff(s)))));
const marginalLambda = (s: number): number => {
  const lmc = logMeanCoeff(s);
  const logStd = f(0.5 * flog(f(1 - fexp(f(2 * lmc)))));
  return f(lmc - logStd);
};

export async function sampleUniPc(ctx: SamplerContext, variant: UniPcVariant): Promise<Float32Array> {
  const timesteps = Float32Array.from(ctx.sigmas);
  if (timesteps[timesteps.length - 1] === 0) timesteps[timesteps.length - 1] = 0.001;
  const n = ctx.x.length;
  const scale0 = fsqrt(f(1 + f(timesteps[0]! * timesteps[0]!)));
  let x: Float32Array = new Float32Array(n);
  for (let k = 0; k < n; k++) x[k] = ctx.x[k]! / scale0;

  /** x₀ prediction of the VP latent at σ: ε from the k-diffusion denoiser, then (x - σ_t·ε) / α_t. */
  const modelFn = async (xVp: Float32Array, sigma: number): Promise<Float32Array> => {
    const up = fsqrt(f(f(sigma * sigma) + 1));
    const input = new Float32Array(n);
    for (let k = 0; k < n; k++) input[k] = xVp[k]! * up;
    const denoised = await ctx.model(input, sigma);
    const alpha = marginalAlpha(sigma);
    const std = marginalStd(sigma);
    const out = new Float32Array(n);
    for (let k = 0; k < n; k++) {
      const eps = f(f(input[k]! - denoised[k]!) / sigma);
      out[k] = f(xVp[k]! - f(std * eps)) / alpha;
    }
    return out;
  };

  /** One multistep UniPC-B(h) update to σ = t: predictor from the history, corrector with a new evaluation. */
  const update = async (
    xIn: Float32Array,
    models: Float32Array[],
    ts: number[],
    t: number,
    order: number,
    useCorrector: boolean,
  ): Promise<[Float32Array, Float32Array | null]> => {
    const tPrev0 = ts[ts.length - 1]!;
    const lambdaPrev0 = marginalLambda(tPrev0);
    const lambdaT = marginalLambda(t);
    const modelPrev0 = models[models.length - 1]!;
    const sigmaPrev0 = marginalStd(tPrev0);
    const sigmaT = marginalStd(t);
    const alphaT = fexp(logMeanCoeff(t));
    const h = f(lambdaT - lambdaPrev0);

    const rks: number[] = [];
    const d1s: Float32Array[] = [];
    for (let i = 1; i < order; i++) {
      const rk = f(f(marginalLambda(ts[ts.length - 1 - i]!) - lambdaPrev0) / h);
      rks.push(rk);
      const mi = models[models.length - 1 - i]!;
      const d = new Float32Array(n);
      for (let k = 0; k < n; k++) d[k] = f(mi[k]! - modelPrev0[k]!) / rk;
      d1s.push(d);
    }
    rks.push(1);

    const hh = -h;
    const hPhi1 = fexpm1(hh);
    let hPhiK = f(f(hPhi1 / hh) - 1);
    let factorial = 1;
    const bH = variant === 'bh1' ? hh : fexpm1(hh);
    const rows: number[][] = [];
    const b: number[] = [];
    for (let i = 1; i <= order; i++) {
      rows.push(rks.map((r) => f(r ** (i - 1))));
      b.push(f(f(hPhiK * factorial) / bH));
      factorial *= i + 1;
      hPhiK = f(f(hPhiK / hh) - f(1 / factorial));
    }

    let rhosP: number[] = [];
    if (d1s.length > 0) {
      rhosP = order === 2 ? [0.5] : solveLinear(rows.slice(0, -1).map((r) => r.slice(0, -1)), b.slice(0, -1)).map(f);
    }
    const rhosC = useCorrector ? (order === 1 ? [0.5] : solveLinear(rows, b).map(f)) : [];

    const a = f(sigmaT / sigmaPrev0);
    const c = f(alphaT * hPhi1);
    const cb = f(alphaT * bH);
    const base = new Float32Array(n);
    for (let k = 0; k < n; k++) base[k] = f(a * xIn[k]!) - f(c * modelPrev0[k]!);
    let xT = new Float32Array(n);
    for (let k = 0; k < n; k++) {
      let pred = 0;
      for (let j = 0; j < d1s.length; j++) pred += d1s[j]![k]! * rhosP[j]!;
      xT[k] = base[k]! - f(cb * f(pred));
    }
    let modelT: Float32Array | null = null;
    if (useCorrector) {
      modelT = await modelFn(xT, t);
      const corrected = new Float32Array(n);
      const last = rhosC[rhosC.length - 1]!;
      for (let k = 0; k < n; k++) {
        let corr = 0;
        for (let j = 0; j < d1s.length; j++) corr += d1s[j]![k]! * rhosC[j]!;
        corrected[k] = base[k]! - f(cb * f(f(corr) + f(last * f(modelT[k]! - modelPrev0[k]!))));
      }
      xT = corrected;
    }
    return [xT, modelT];
  };

  const steps = timesteps.length - 1;
  const order = Math.min(3, timesteps.length - 2);
  const models: Float32Array[] = [];
  const ts: number[] = [];
  for (let stepIndex = 0; stepIndex < steps; stepIndex++) {
    if (stepIndex === 0) {
      models.push(await modelFn(x, timesteps[0]!));
      ts.push(timesteps[0]!);
    } else if (stepIndex < order) {
      const t = timesteps[stepIndex]!;
      let modelX: Float32Array | null;
      [x, modelX] = await update(x, models, ts, t, stepIndex, true);
      models.push(modelX ?? (await modelFn(x, t)));
      ts.push(t);
    } else {
      const lastStep = stepIndex === steps - 1 ? 1 : 0;
      for (let step = stepIndex; step <= stepIndex + lastStep; step++) {
        const t = timesteps[step]!;
        const stepOrder = Math.min(order, steps + 1 - step);
        const useCorrector = step !== steps;
        let modelX: Float32Array | null;
        [x, modelX] = await update(x, models, ts, t, stepOrder, useCorrector);
        for (let i = 0; i < order - 1; i++) {
          ts[i] = ts[i + 1]!;
          models[i] = models[i + 1]!;
        }
        ts[ts.length - 1] = t;
        if (step < steps) models[models.length - 1] = modelX ?? (await modelFn(x, t));
      }
    }
    ctx.callback(stepIndex, models[models.length - 1]!, x);
  }
  const alphaEnd = marginalAlpha(timesteps[timesteps.length - 1]!);
  const out = new Float32Array(n);
  for (let k = 0; k < n; k++) out[k] = x[k]! / alphaEnd;
  return out;
}
