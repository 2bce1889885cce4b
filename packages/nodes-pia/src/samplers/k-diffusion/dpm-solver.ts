/**
 * DPM-Solver (Lu et al. 2022, arXiv 2206.00927) in k-diffusion's form: `dpm_fast` (fixed steps of order 3/2/1
 * spending exactly n evaluations) and `dpm_adaptive` (embedded 2/3 pair with a PID step-size controller).
 * Both work in t = -log σ on their own grid: of ComfyUI's sigma list they only use σ_max = sigmas[0] and
 * σ_min = sigmas[-2] when the list ends in 0 (else sigmas[-1]). Both call the noise sampler once per step
 * even though eta = 0 multiplies the draw by 0, which advances the stream as ComfyUI's does.
 */
import { f, fexp, fexpm1 } from '../f32.js';
import { torchLinspace } from '../torch-linspace.js';
import { tOfSigma, type SamplerContext } from './context.js';

const sigmaOf = (t: number): number => fexp(-t);

/** The evaluation cache of one step: ε at t and at the intermediate points, keyed as k-diffusion keys them. */
type EpsCache = Map<string, Float32Array>;

class DpmSolver {
  constructor(private readonly ctx: SamplerContext) {}

  /** ε = (x - D(x, σ(t))) / σ(t), cached under `key`. */
  async eps(cache: EpsCache, key: string, x: Float32Array, t: number): Promise<Float32Array> {
    const hit = cache.get(key);
    if (hit) return hit;
    const sigma = sigmaOf(t);
    const denoised = await this.ctx.model(x, sigma);
    const eps = new Float32Array(x.length);
    for (let k = 0; k < x.length; k++) eps[k] = f(x[k]! - denoised[k]!) / sigma;
    cache.set(key, eps);
    return eps;
  }

  async step1(x: Float32Array, t: number, tNext: number, cache: EpsCache): Promise<Float32Array> {
    const h = f(tNext - t);
    const eps = await this.eps(cache, 'eps', x, t);
    const c = f(sigmaOf(tNext) * fexpm1(h));
    const out = new Float32Array(x.length);
    for (let k = 0; k < x.length; k++) out[k] = x[k]! - f(c * eps[k]!);
    return out;
  }

  async step2(x: Float32Array, t: number, tNext: number, r1: number, cache: EpsCache): Promise<Float32Array> {
    const h = f(tNext - t);
    const eps = await this.eps(cache, 'eps', x, t);
    const rh = f(f(r1) * h);
    const s1 = f(t + rh);
    const c1 = f(sigmaOf(s1) * fexpm1(rh));
    const u1 = new Float32Array(x.length);
    for (let k = 0; k < x.length; k++) u1[k] = x[k]! - f(c1 * eps[k]!);
    const epsR1 = await this.eps(cache, 'eps_r1', u1, s1);
    const em1 = fexpm1(h);
    const a = f(sigmaOf(tNext) * em1);
    const b = f(f(sigmaOf(tNext) / f(2 * r1)) * em1);
    const out = new Float32Array(x.length);
    for (let k = 0; k < x.length; k++) out[k] = f(x[k]! - f(a * eps[k]!)) - f(b * f(epsR1[k]! - eps[k]!));
    return out;
  }

  async step3(x: Float32Array, t: number, tNext: number, cache: EpsCache, r1 = 1 / 3, r2 = 2 / 3): Promise<Float32Array> {
    const h = f(tNext - t);
    const eps = await this.eps(cache, 'eps', x, t);
    const r1h = f(f(r1) * h);
    const r2h = f(f(r2) * h);
    const s1 = f(t + r1h);
    const s2 = f(t + r2h);
    const c1 = f(sigmaOf(s1) * fexpm1(r1h));
    const u1 = new Float32Array(x.length);
    for (let k = 0; k < x.length; k++) u1[k] = x[k]! - f(c1 * eps[k]!);
    const epsR1 = await this.eps(cache, 'eps_r1', u1, s1);
    const em2 = fexpm1(r2h);
    const a2 = f(sigmaOf(s2) * em2);
    const b2 = f(f(sigmaOf(s2) * f(r2 / r1)) * f(f(em2 / r2h) - 1));
    const u2 = new Float32Array(x.length);
    for (let k = 0; k < x.length; k++) u2[k] = f(x[k]! - f(a2 * eps[k]!)) - f(b2 * f(epsR1[k]! - eps[k]!));
    const epsR2 = await this.eps(cache, 'eps_r2', u2, s2);
    const em = fexpm1(h);
    const a = f(sigmaOf(tNext) * em);
    const b = f(f(sigmaOf(tNext) / f(r2)) * f(f(em / h) - 1));
    const out = new Float32Array(x.length);
    for (let k = 0; k < x.length; k++) out[k] = f(x[k]! - f(a * eps[k]!)) - f(b * f(epsR2[k]! - eps[k]!));
    return out;
  }
}

/** ComfyUI's σ_min for these two: the last non-zero sigma. */
function sigmaRange(sigmas: Float32Array): [min: number, max: number] {
  let min = sigmas[sigmas.length - 1]!;
  if (min === 0) min = sigmas[sigmas.length - 2]!;
  return [min, sigmas[0]!];
}

/** DPM-Solver-Fast: n = len(sigmas) - 1 evaluations on a uniform t grid. */
export async function sampleDpmFast(ctx: SamplerContext): Promise<Float32Array> {
  const { sigmas } = ctx;
  let x = ctx.x;
  if (sigmas.length <= 1) return x;
  const [sigmaMin, sigmaMax] = sigmaRange(sigmas);
  const nfe = sigmas.length - 1;
  const solver = new DpmSolver(ctx);
  const noise = ctx.noise();
  const tStart = tOfSigma(sigmaMax);
  const tEnd = tOfSigma(sigmaMin);
  const m = Math.floor(nfe / 3) + 1;
  const ts = torchLinspace(tStart, tEnd, m + 1, 'float32');
  const orders = nfe % 3 === 0 ? [...Array<number>(m - 2).fill(3), 2, 1] : [...Array<number>(m - 1).fill(3), nfe % 3];
  for (let i = 0; i < orders.length; i++) {
    const cache: EpsCache = new Map();
    const t = ts[i]!;
    const tNext = ts[i + 1]!;
    const eps = await solver.eps(cache, 'eps', x, t);
    const sigma = sigmaOf(t);
    const denoised = new Float32Array(x.length);
    for (let k = 0; k < x.length; k++) denoised[k] = x[k]! - f(sigma * eps[k]!);
    ctx.callback(i, denoised, x);
    const order = orders[i]!;
    if (order === 1) x = await solver.step1(x, t, tNext, cache);
    else if (order === 2) x = await solver.step2(x, t, tNext, 1 / 2, cache);
    else x = await solver.step3(x, t, tNext, cache);
    noise(sigma, sigmaOf(tNext)); // eta = 0: drawn and multiplied by 0
  }
  return x;
}

/** k-diffusion's PID step-size controller (defaults: integral only, order 3, accept at factor >= 0.81). */
class PidStepSizeController {
  private readonly b1: number;
  private readonly b2: number;
  private readonly b3: number;
  private errs: number[] = [];

  constructor(
    public h: number,
    pcoeff: number,
    icoeff: number,
    dcoeff: number,
    order: number,
    private readonly acceptSafety = 0.81,
    private readonly eps = 1e-8,
  ) {
    this.b1 = (pcoeff + icoeff + dcoeff) / order;
    this.b2 = -(pcoeff + 2 * dcoeff) / order;
    this.b3 = dcoeff / order;
  }

  proposeStep(error: number): boolean {
    const invError = 1 / (error + this.eps);
    if (this.errs.length === 0) this.errs = [invError, invError, invError];
    this.errs[0] = invError;
    let factor = this.errs[0]! ** this.b1 * this.errs[1]! ** this.b2 * this.errs[2]! ** this.b3;
    factor = 1 + Math.atan(factor - 1);
    const accept = factor >= this.acceptSafety;
    if (accept) {
      this.errs[2] = this.errs[1]!;
      this.errs[1] = this.errs[0]!;
    }
    this.h *= factor;
    return accept;
  }
}

/** DPM-Solver-23 with adaptive steps (rtol 0.05, atol 0.0078, h_init 0.05). */
export async function sampleDpmAdaptive(ctx: SamplerContext): Promise<Float32Array> {
  const { sigmas } = ctx;
  let x = ctx.x;
  if (sigmas.length <= 1) return x;
  const [sigmaMin, sigmaMax] = sigmaRange(sigmas);
  const solver = new DpmSolver(ctx);
  const noise = ctx.noise();
  const order = 3;
  const rtol = f(0.05);
  const atol = f(0.0078);
  const tStart = tOfSigma(sigmaMax);
  const tEnd = tOfSigma(sigmaMin);
  let s = tStart;
  let xPrev = x;
  const pid = new PidStepSizeController(0.05, 0, 1, 0, order);
  let steps = 0;
  const stopAt = f(tEnd - f(1e-5));
  while (s < stopAt) {
    const cache: EpsCache = new Map();
    const t = Math.min(tEnd, f(s + f(pid.h)));
    const eps = await solver.eps(cache, 'eps', x, s);
    const sigma = sigmaOf(s);
    const denoised = new Float32Array(x.length);
    for (let k = 0; k < x.length; k++) denoised[k] = x[k]! - f(sigma * eps[k]!);
    const xLow = await solver.step2(x, s, t, 1 / 3, cache);
    const xHigh = await solver.step3(x, s, t, cache);
    let sumSq = 0;
    for (let k = 0; k < x.length; k++) {
      const delta = Math.max(atol, f(rtol * Math.max(Math.abs(xLow[k]!), Math.abs(xPrev[k]!))));
      const e = f(f(xLow[k]! - xHigh[k]!) / delta);
      sumSq += e * e;
    }
    const error = f(f(Math.sqrt(sumSq)) / Math.sqrt(x.length));
    const accept = pid.proposeStep(error);
    if (accept) {
      xPrev = xLow;
      noise(sigma, sigmaOf(t)); // eta = 0: drawn and multiplied by 0
      x = xHigh;
      s = t;
    }
    steps += 1;
    ctx.callback(steps - 1, denoised, x);
  }
  return x;
}
