/**
 * Classifier-free guidance as ComfyUI's `sampling_function` + `cfg_function` compute it: on the *denoised*
 * predictions, `uncond + (cond - uncond)·cfg` in float32, with the cond and uncond evaluated as one batch.
 * At cfg = 1 (math.isclose) the uncond is not evaluated at all, unless the sampler needs it (CFG++).
 */
import { KSamplerError } from './errors.js';
import { f } from './f32.js';

/** Which conditioning a model evaluation is for. */
export type CondKind = 'cond' | 'uncond';

/**
 * The model as guidance sees it: the denoised prediction (EPS: x - ε·σ) of `x` at `sigma` under each
 * conditioning in `conds`, in that order. Implementations evaluate them together as one batch.
 */
export type ConditionedModel = (x: Float32Array, sigma: number, conds: readonly CondKind[]) => Promise<Float32Array[]>;

/** The guided and unguided predictions of one evaluation (CFG++ samplers step with the latter). */
export interface GuidedPrediction {
  denoised: Float32Array;
  uncond: Float32Array;
}

/**
 * What a sampler calls once per model evaluation: the guided denoised prediction of `x` at `sigma`.
 * `withUncond`, when present, evaluates the uncond even at cfg 1 and returns both (needed by `*_cfg_pp`).
 */
export interface Denoiser {
  (x: Float32Array, sigma: number): Promise<Float32Array>;
  withUncond?: (x: Float32Array, sigma: number) => Promise<GuidedPrediction>;
}

/** Arrays {@link cfgDenoiser} allocated for its caller alone, which `sample()` can keep without copying. */
export const freshPredictions = new WeakSet<Float32Array>();

/** `uncond + (cond - uncond)·scale`, each operation rounded to float32 as PyTorch does. */
export function cfgCombine(
  cond: Float32Array,
  uncond: Float32Array,
  scale: number,
  out: Float32Array = new Float32Array(cond.length),
): Float32Array {
  if (cond.length !== uncond.length || out.length !== cond.length) {
    throw new KSamplerError('length_mismatch', `cfg: cond has ${cond.length} values, uncond ${uncond.length}, out ${out.length}`);
  }
  const s = f(scale);
  for (let i = 0; i < cond.length; i++) {
    const u = uncond[i]!;
    out[i] = u + f(f(cond[i]! - u) * s);
  }
  return out;
}

/** Python's `math.isclose(a, b)` with its default rel_tol 1e-9. */
function isClose(a: number, b: number): boolean {
  return a === b || Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
}

function checkOutputs(outputs: Float32Array[], expected: number, length: number): void {
  if (outputs.length !== expected || outputs.some((o) => o.length !== length)) {
    throw new KSamplerError(
      'length_mismatch',
      `the model returned ${outputs.length} predictions of lengths [${outputs.map((o) => o.length).join(', ')}]; expected ${expected} of ${length}`,
    );
  }
}

/** A {@link Denoiser} applying ComfyUI's CFG (with its cfg-1 shortcut) to a {@link ConditionedModel}. */
export function cfgDenoiser(model: ConditionedModel, cfg: number): Denoiser {
  if (!Number.isFinite(cfg)) throw new KSamplerError('invalid_cfg', `cfg must be a finite number, got ${cfg}`);
  const skipUncond = isClose(cfg, 1);
  const both = async (x: Float32Array, sigma: number): Promise<GuidedPrediction> => {
    const outputs = await model(x, sigma, ['uncond', 'cond']);
    checkOutputs(outputs, 2, x.length);
    const [uncond, cond] = outputs as [Float32Array, Float32Array];
    const denoised = cfgCombine(cond, uncond, cfg);
    freshPredictions.add(denoised);
    return { denoised, uncond };
  };
  const denoiser: Denoiser = async (x, sigma) => {
    if (!skipUncond) return (await both(x, sigma)).denoised;
    const outputs = await model(x, sigma, ['cond']);
    checkOutputs(outputs, 1, x.length);
    return outputs[0]!; // uncond = 0, so 0 + (cond - 0)·1 = cond exactly
  };
  denoiser.withUncond = both;
  return denoiser;
}
