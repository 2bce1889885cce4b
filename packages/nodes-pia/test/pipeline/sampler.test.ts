import { describe, expect, it } from 'vitest';
import { tiny, type FloatTensor, type UNetHandle } from '../../src/models/index.js';
import { PipelineError } from '../../src/pipeline/errors.js';
import { sampleVideo } from '../../src/pipeline/sampler.js';
import { randn } from '../../src/random/index.js';

interface Call {
  dims: readonly number[];
  timestep: number;
  text: number[];
  sample: Float32Array;
}

/** A U-Net stand-in: ε = 0.5·x for the conditional half, 0.25·x for the unconditional half; records its calls. */
function fakeUNet(calls: Call[]): UNetHandle {
  return {
    config: tiny,
    async run(sample: FloatTensor, timestep: number, text: FloatTensor): Promise<FloatTensor> {
      calls.push({ dims: sample.dims, timestep, text: [text.data[0]!, text.data[text.data.length - 1]!], sample: sample.data });
      const [b, , f, h, w] = sample.dims as number[];
      const per = 4 * f! * h! * w!;
      const out = new Float32Array(b! * per);
      for (let i = 0; i < b!; i++) {
        const gain = b === 2 && i === 0 ? 0.25 : 0.5;
        for (let j = 0; j < per; j++) out[i * per + j] = gain * sample.data[i * 9 * f! * h! * w! + j]!;
      }
      return { data: out, dims: [b!, 4, f!, h!, w!] };
    },
  } as unknown as UNetHandle;
}

const base = {
  positive: new Float32Array(2 * 3).fill(1),
  negative: new Float32Array(2 * 3).fill(-1),
  textDims: [2, 3] as const,
  conditionLatent: new Float32Array(4 * 2 * 2).fill(0.5),
  mask: [1, 0.7],
  height: 2,
  width: 2,
  seed: 7,
};

/** DDIM by hand (pia-model.md §4): linear betas 0.00085→0.012, leading spacing + 1, eta 0, set_alpha_to_one. */
function referenceDdim(x: Float64Array, steps: number, eps: (x: number) => number): Float64Array {
  const ac: number[] = [];
  let prod = 1;
  for (let t = 0; t < 1000; t++) {
    prod *= 1 - Math.fround(0.00085 + ((0.012 - 0.00085) * t) / 999);
    ac.push(prod);
  }
  const ratio = Math.floor(1000 / steps);
  const out = Float64Array.from(x);
  for (let i = 0; i < steps; i++) {
    const t = (steps - 1 - i) * ratio + 1;
    const a = ac[t]!;
    const ap = t - ratio >= 0 ? ac[t - ratio]! : 1;
    for (let j = 0; j < out.length; j++) {
      const e = eps(out[j]!);
      const x0 = (out[j]! - Math.sqrt(1 - a) * e) / Math.sqrt(a);
      out[j] = Math.sqrt(ap) * x0 + Math.sqrt(1 - ap) * e;
    }
  }
  return out;
}

describe('the PIA sampler loop', () => {
  it('calls the U-Net at 961, 921, …, 1 for 25 steps with [2, 9, F, h, w] and the negative prompt first', async () => {
    const calls: Call[] = [];
    await sampleVideo({ ...base, unet: fakeUNet(calls), steps: 25, cfg: 7.5 });
    expect(calls.map((c) => c.timestep)).toEqual(Array.from({ length: 25 }, (_, i) => 961 - 40 * i));
    expect(calls[0]!.dims).toEqual([2, 9, 2, 2, 2]);
    expect(calls[0]!.text).toEqual([-1, 1]);
  });

  it('starts by default from PyTorch’s CPU randn of the seed, as PIA and diffusers do with a CPU generator', async () => {
    const calls: Call[] = [];
    await sampleVideo({ ...base, unet: fakeUNet(calls), steps: 2, cfg: 3 });
    // torch.manual_seed(7); torch.randn([1, 4, 2, 2, 2]) in PyTorch 1.13 (CPU, float32).
    const torchNoise = [
      -0.8201345205307007, 0.39563116431236267, 0.8989084959030151, -1.3884038925170898, -0.16699601709842682, 0.2851499617099762,
      -0.641091525554657, -0.8936554193496704, 0.9265429973602295, -0.5355122089385986, -1.1597203016281128, -0.4601571559906006,
      0.7085390686988831, 1.0127553939819336, 0.23039686679840088, 1.090165138244629, -1.5826646089553833, -0.32456663250923157,
      1.9263681173324585, -0.3300117254257202, 0.19844505190849304, 0.7820726633071899, 1.0391076803207397, -0.7245107293128967,
      -0.2093404233455658, -0.21534152328968048, -1.8157286643981934, -0.3452419638633728, -2.0614778995513916, 0.6741006970405579,
      -1.3233457803726196, -1.3597689867019653,
    ];
    // DDIM's initial noise sigma is 1 and the first step's input is unscaled: the U-Net sees the noise itself.
    expect(Array.from(calls[0]!.sample.subarray(0, 32))).toEqual(torchNoise.map(Math.fround));
  });

  it('starts from the seed’s Philox noise (noise: philox) and follows DDIM with guidance u + g·(c − u), as computed by hand', async () => {
    const calls: Call[] = [];
    const out = await sampleVideo({ ...base, noise: 'philox', unet: fakeUNet(calls), steps: 10, cfg: 3 });
    const noise = randn(4 * 2 * 2 * 2, 7);
    expect(Array.from(calls[0]!.sample.subarray(0, 32))).toEqual(Array.from(noise));
    // Guided ε = 0.25x + 3·(0.5x − 0.25x) = x.
    const expected = referenceDdim(Float64Array.from(noise), 10, (x) => x);
    for (let i = 0; i < out.length; i++) expect(out[i]).toBeCloseTo(expected[i]!, 4);
  });

  it('runs the prompt alone when cfg is at most 1', async () => {
    const calls: Call[] = [];
    await sampleVideo({ ...base, unet: fakeUNet(calls), steps: 2, cfg: 1 });
    expect(calls[0]!.dims[0]).toBe(1);
    expect(calls[0]!.text).toEqual([1, 1]);
  });

  it('runs only the last steps for a strength below 1', async () => {
    const calls: Call[] = [];
    await sampleVideo({ ...base, unet: fakeUNet(calls), steps: 10, cfg: 2, strength: 0.5 });
    expect(calls.map((c) => c.timestep)).toEqual([401, 301, 201, 101, 1]);
  });

  it('stops before the next step once the signal is aborted', async () => {
    const calls: Call[] = [];
    const controller = new AbortController();
    const run = sampleVideo({
      ...base,
      unet: fakeUNet(calls),
      steps: 10,
      cfg: 2,
      signal: controller.signal,
      onStep: (s) => {
        if (s.step === 3) controller.abort();
      },
    });
    await expect(run).rejects.toThrow(PipelineError);
    await expect(run).rejects.toThrow(/interrupted before step 4/);
    expect(calls).toHaveLength(3);
  });
});
