import { describe, expect, it } from 'vitest';
import { DdimScheduler, PIA_DDIM_CONFIG, SchedulerError } from '../../src/schedulers/index.js';

/** ᾱ_t in float64 from the definition: ∏_{s≤t} (1 - (0.00085 + s·(0.012-0.00085)/999)). */
function alphaBar64(t: number): number {
  let acc = 1;
  for (let s = 0; s <= t; s++) acc *= 1 - (0.00085 + (s * (0.012 - 0.00085)) / 999);
  return acc;
}

function expectError(fn: () => unknown, code: string, message: RegExp): void {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(SchedulerError);
    expect((error as SchedulerError).code).toBe(code);
    expect((error as SchedulerError).message).toMatch(message);
    return;
  }
  throw new Error('expected a SchedulerError');
}

const f32 = (values: number[]): Float32Array => Float32Array.from(values);

describe('DDIM noise schedule', () => {
  const ddim = new DdimScheduler();

  it('matches the float32 numpy reference values of pia-model.md §4', () => {
    expect(ddim.alphasCumprod[961]).toBeCloseTo(0.0024783, 6);
    expect(ddim.alphasCumprod[1]).toBeCloseTo(0.9982895, 6);
    expect(ddim.alphasCumprod[999]).toBeCloseTo(0.001579, 6);
  });

  it('stays within 1e-6 of the float64 closed-form product at every 37th step', () => {
    for (let t = 0; t < 1000; t += 37) expect(Math.abs(ddim.alphasCumprod[t]! - alphaBar64(t))).toBeLessThan(1e-6);
  });

  it('starts at exactly 1 - float32(0.00085) rounded to float32', () => {
    expect(ddim.alphasCumprod[0]).toBe(Math.fround(1 - Math.fround(0.00085)));
  });

  it('ends the linear betas exactly at 0.012 in float32', () => {
    expect(ddim.betas[999]).toBe(Math.fround(0.012));
    expect(ddim.betas.length).toBe(1000);
  });

  it('squares a linspace of square roots for scaled_linear', () => {
    const sd = new DdimScheduler({ betaSchedule: 'scaled_linear' });
    const mid = (Math.sqrt(0.00085) + (500 * (Math.sqrt(0.012) - Math.sqrt(0.00085))) / 999) ** 2;
    expect(sd.betas[500]).toBeCloseTo(mid, 9);
  });
});

describe('DDIM timesteps', () => {
  const ddim = new DdimScheduler();

  it('gives 961, 921, …, 1 for 25 steps (leading spacing, offset 1)', () => {
    expect(ddim.timesteps(25)).toEqual(Array.from({ length: 25 }, (_, i) => 961 - 40 * i));
  });

  it('gives 981, 961, …, 1 for 50 steps', () => {
    expect(ddim.timesteps(50)).toEqual(Array.from({ length: 50 }, (_, i) => 981 - 20 * i));
  });

  it('rounds trailing spacing half to even like numpy (16 steps of 62.5)', () => {
    // 1000 - 3·62.5 = 812.5 → numpy rounds to 812, minus 1 → 811; 1000 - 62.5 = 937.5 → 938 → 937
    const t = new DdimScheduler({ timestepSpacing: 'trailing' }).timesteps(16);
    expect(t.slice(0, 4)).toEqual([999, 937, 874, 811]);
    expect(t[15]).toBe(61);
  });

  it('spreads linspace spacing from 999 down to 0', () => {
    expect(new DdimScheduler({ timestepSpacing: 'linspace' }).timesteps(4)).toEqual([999, 666, 333, 0]);
  });

  it('keeps the last 15 of 25 timesteps for strength 0.6', () => {
    // init = int(25·0.6) = 15, start = 10 → 961 - 400 = 561
    expect(ddim.timestepsForStrength(25, 0.6)).toEqual(Array.from({ length: 15 }, (_, i) => 561 - 40 * i));
  });

  it('floors steps·strength, so strength 0.5 of 25 steps runs 12', () => {
    expect(ddim.timestepsForStrength(25, 0.5)).toEqual(Array.from({ length: 12 }, (_, i) => 441 - 40 * i));
  });

  it('runs every step at strength 1 and none at strength 0', () => {
    expect(ddim.timestepsForStrength(25, 1)).toEqual(ddim.timesteps(25));
    expect(ddim.timestepsForStrength(25, 0)).toEqual([]);
  });

  it('rejects a strength above 1', () => {
    expectError(() => ddim.timestepsForStrength(25, 1.5), 'invalid_strength', /\[0, 1\], got 1.5/);
  });

  it('rejects zero steps', () => {
    expectError(() => ddim.timesteps(0), 'invalid_steps', /1 to 1000, got 0/);
  });

  it('rejects more steps than training steps', () => {
    expectError(() => ddim.timesteps(1001), 'invalid_steps', /got 1001/);
  });
});

describe('DDIM step (eta 0)', () => {
  it('maps a noised sample with its true noise to the same sample noised at the previous timestep', () => {
    // x_t = √ᾱ_t x0 + √(1-ᾱ_t) ε is a fixed point of DDIM's update: x_prev = √ᾱ_prev x0 + √(1-ᾱ_prev) ε
    const ddim = new DdimScheduler();
    ddim.setTimesteps(25);
    const x0 = f32([0.5, -1.25, 2, 0]);
    const eps = f32([1, 0.3, -0.7, -2]);
    const xt = ddim.addNoise(x0, eps, 961);
    const prev = ddim.step(eps, 961, xt);
    const a = alphaBar64(921);
    [0.5, -1.25, 2, 0].forEach((v, i) => {
      expect(prev[i]).toBeCloseTo(Math.sqrt(a) * v + Math.sqrt(1 - a) * eps[i]!, 4);
    });
  });

  it('returns the predicted clean sample on the last step (ᾱ_prev = 1)', () => {
    const ddim = new DdimScheduler();
    ddim.setTimesteps(25);
    const a1 = alphaBar64(1);
    const x = f32([0.8]);
    const eps = f32([0.1]);
    expect(ddim.step(eps, 1, x)[0]).toBeCloseTo((0.8 - Math.sqrt(1 - a1) * 0.1) / Math.sqrt(a1), 5);
  });

  it('uses ᾱ_0 on the last step when setAlphaToOne is false', () => {
    const ddim = new DdimScheduler({ setAlphaToOne: false });
    ddim.setTimesteps(25);
    const a0 = alphaBar64(0);
    const a1 = alphaBar64(1);
    const x0 = (0.8 - Math.sqrt(1 - a1) * 0.1) / Math.sqrt(a1);
    expect(ddim.step(f32([0.1]), 1, f32([0.8]))[0]).toBeCloseTo(Math.sqrt(a0) * x0 + Math.sqrt(1 - a0) * 0.1, 5);
  });

  it('computes one step from the closed form with hand-picked numbers', () => {
    const ddim = new DdimScheduler();
    ddim.setTimesteps(10); // Δ = 100: 901 → 801
    const [aT, aP] = [alphaBar64(901), alphaBar64(801)];
    const x0 = (1.5 - Math.sqrt(1 - aT) * 0.25) / Math.sqrt(aT);
    expect(ddim.step(f32([0.25]), 901, f32([1.5]))[0]).toBeCloseTo(Math.sqrt(aP) * x0 + Math.sqrt(1 - aP) * 0.25, 4);
  });

  it('inverts v-prediction: ε = √ᾱ v + √(1-ᾱ) x and x0 = √ᾱ x - √(1-ᾱ) v', () => {
    const ddim = new DdimScheduler({ predictionType: 'v_prediction' });
    ddim.setTimesteps(25);
    const [aT, aP] = [alphaBar64(481), alphaBar64(441)];
    const x = 0.4;
    const v = -0.6;
    const x0 = Math.sqrt(aT) * x - Math.sqrt(1 - aT) * v;
    const eps = Math.sqrt(aT) * v + Math.sqrt(1 - aT) * x;
    expect(ddim.step(f32([v]), 481, f32([x]))[0]).toBeCloseTo(Math.sqrt(aP) * x0 + Math.sqrt(1 - aP) * eps, 5);
  });

  it('clips the predicted clean sample when clipSample is on', () => {
    const ddim = new DdimScheduler({ clipSample: true });
    ddim.setTimesteps(25);
    // x0 = (5 - √(1-ᾱ)·0)/√ᾱ is huge, clipped to 1; then x_prev = √ᾱ_prev·1 + √(1-ᾱ_prev)·0
    expect(ddim.step(f32([0]), 961, f32([5]))[0]).toBeCloseTo(Math.sqrt(alphaBar64(921)), 5);
  });
});

describe('DDIM step (eta > 0)', () => {
  const aT = alphaBar64(961);
  const aP = alphaBar64(921);
  const variance = ((1 - aP) / (1 - aT)) * (1 - aT / aP);

  it('adds eta·σ_t times the given noise and shrinks the direction term', () => {
    const ddim = new DdimScheduler();
    ddim.setTimesteps(25);
    const std = 0.5 * Math.sqrt(variance);
    const x0 = (1 - Math.sqrt(1 - aT) * 0.2) / Math.sqrt(aT);
    const expected = Math.sqrt(aP) * x0 + Math.sqrt(1 - aP - std * std) * 0.2 + std * 1.5;
    expect(ddim.step(f32([0.2]), 961, f32([1]), { eta: 0.5, noise: f32([1.5]) })[0]).toBeCloseTo(expected, 4);
  });

  it('asks a noise function for exactly as many values as the sample has', () => {
    const ddim = new DdimScheduler();
    ddim.setTimesteps(25);
    const asked: number[] = [];
    ddim.step(f32([0, 0, 0]), 961, f32([1, 1, 1]), { eta: 1, noise: (n) => (asked.push(n), new Float32Array(n)) });
    expect(asked).toEqual([3]);
  });

  it('rejects eta > 0 without a noise source', () => {
    const ddim = new DdimScheduler();
    ddim.setTimesteps(25);
    expectError(() => ddim.step(f32([0]), 961, f32([1]), { eta: 1 }), 'missing_noise', /noise source/);
  });

  it('rejects noise of the wrong length', () => {
    const ddim = new DdimScheduler();
    ddim.setTimesteps(25);
    expectError(
      () => ddim.step(f32([0, 0]), 961, f32([1, 1]), { eta: 1, noise: f32([1]) }),
      'length_mismatch',
      /noise has 1 values but the sample has 2/,
    );
  });

  it('rejects a negative eta', () => {
    const ddim = new DdimScheduler();
    ddim.setTimesteps(25);
    expectError(() => ddim.step(f32([0]), 961, f32([1]), { eta: -0.1 }), 'invalid_eta', /got -0.1/);
  });
});

describe('DDIM bad calls', () => {
  it('rejects step() before setTimesteps()', () => {
    expectError(() => new DdimScheduler().step(f32([0]), 961, f32([1])), 'timesteps_not_set', /setTimesteps/);
  });

  it('rejects a model output whose length differs from the sample', () => {
    const ddim = new DdimScheduler();
    ddim.setTimesteps(25);
    expectError(() => ddim.step(f32([0]), 961, f32([1, 2])), 'length_mismatch', /modelOutput has 1 values but sample has 2/);
  });

  it('rejects a timestep outside the training range', () => {
    const ddim = new DdimScheduler();
    ddim.setTimesteps(25);
    expectError(() => ddim.step(f32([0]), 1000, f32([1])), 'invalid_timestep', /0 to 999, got 1000/);
  });

  it('rejects a fractional timestep in addNoise', () => {
    expectError(() => new DdimScheduler().addNoise(f32([0]), f32([0]), 10.5), 'invalid_timestep', /got 10.5/);
  });

  it('rejects betas outside (0, 1)', () => {
    expectError(() => new DdimScheduler({ betaEnd: 1.5 }), 'invalid_config', /betaEnd < 1, got 0.00085 and 1.5/);
  });

  it("keeps PIA's configuration as the default", () => {
    expect(new DdimScheduler().config).toEqual(PIA_DDIM_CONFIG);
  });
});

describe('DDIM addNoise', () => {
  it('computes √ᾱ_t·x0 + √(1-ᾱ_t)·noise', () => {
    const a = alphaBar64(500);
    const out = new DdimScheduler().addNoise(f32([2, -1]), f32([0.5, 3]), 500);
    expect(out[0]).toBeCloseTo(Math.sqrt(a) * 2 + Math.sqrt(1 - a) * 0.5, 5);
    expect(out[1]).toBeCloseTo(-Math.sqrt(a) + Math.sqrt(1 - a) * 3, 5);
  });
});
