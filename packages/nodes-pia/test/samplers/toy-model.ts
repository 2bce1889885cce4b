/**
 * The reference data's toy SD 1.5 stand-in (see ../shared/data/k-samplers/README.md, "The toy model"), in
 * float32 as PyTorch evaluates it: eps = xc + 0.2·tanh((xc + (1e-4·t)·ctx) + off[c]), xc = x / sqrt(σ² + 1),
 * t = timestep(σ), ctx = +1 for the positive and -1 for the negative conditioning, denoised = x - eps·σ.
 * Also counts the evaluations the way the data logs them.
 */
import type { CondKind, ConditionedModel } from '../../src/samplers/index.js';
import type { ModelSamplingDiscrete } from '../../src/samplers/index.js';

const f = Math.fround;
const OFFSETS = [-0.3, -0.1, 0.1, 0.3].map(f);
const CHANNELS = 4;

export interface ToyCall {
  sigma: number;
  t: number;
  batch: number;
  /** The latent the model was called on (copied). */
  x: Float32Array;
}

export function toyModel(ms: ModelSamplingDiscrete, plane: number, calls: ToyCall[] = []): ConditionedModel {
  return async (x: Float32Array, sigma: number, conds: readonly CondKind[]) => {
    const s = f(sigma);
    const t = ms.timestep(s);
    calls.push({ sigma: s, t, batch: conds.length, x: x.slice() });
    const scale = f(Math.sqrt(f(f(s * s) + 1)));
    return conds.map((kind) => {
      const u = f(f(0.0001 * t) * (kind === 'cond' ? 1 : -1));
      const out = new Float32Array(x.length);
      for (let i = 0; i < x.length; i++) {
        const c = Math.floor(i / plane) % CHANNELS;
        const xc = f(x[i]! / scale);
        const eps = f(xc + f(f(0.2) * f(Math.tanh(f(f(xc + u) + OFFSETS[c]!)))));
        out[i] = f(x[i]! - f(eps * s));
      }
      return out;
    });
  };
}
