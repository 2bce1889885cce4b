import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { componentKeys } from '../../src/checkpoints/key-map.js';
import { tiny } from '../../src/models/config.js';
import { weightsFromArrays, type ModelWeights } from '../../src/models/tensors.js';
import { applyLoras, LoraError, loraMergedWeights, openLora } from '../../src/lora/index.js';
import { naiveLoha, naiveLowRank, naiveTucker, plus, rand, relativeError, scalar, writeTestFile, type TestTensor } from './helpers/lora-files.js';

let dir: string;
const shapes = new Map([...componentKeys(tiny, 'unet').specs, ...componentKeys(tiny, 'clip').specs].map((s) => [s.name, s.shape]));
const baseArrays = new Map<string, TestTensor>();
let unet: ModelWeights;
let clip: ModelWeights;

function shapeOf(name: string): readonly number[] {
  const s = shapes.get(name);
  if (!s) throw new Error(`tiny has no ${name}`);
  return s;
}

const base = (name: string) => baseArrays.get(name)!.data;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'piagraph-lora-merge-'));
  for (const [name, shape] of shapes) baseArrays.set(name, rand(shape, 0.2));
  const pick = (prefix: (n: string) => boolean) => weightsFromArrays([...baseArrays].filter(([n]) => prefix(n)).map(([n, t]) => [n, t] as const));
  unet = pick((n) => !n.startsWith('text_model.'));
  clip = pick((n) => n.startsWith('text_model.'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const TO_Q = 'down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q.weight';
const FF_IN = 'down_blocks.0.attentions.0.transformer_blocks.0.ff.net.0.proj.weight';
const PROJ_IN = 'down_blocks.0.attentions.1.proj_in.weight';
const CONV1 = 'down_blocks.0.resnets.0.conv1.weight';
const CONV2_B1 = 'down_blocks.1.resnets.0.conv2.weight';
const FF_OUT = 'up_blocks.1.attentions.0.transformer_blocks.0.ff.net.2.weight';
const TE_Q = 'text_model.encoder.layers.1.self_attn.q_proj.weight';

const kohya = (name: string, te = false) => `${te ? 'lora_te' : 'lora_unet'}_${name.slice(0, -'.weight'.length).replaceAll('.', '_')}`;

describe('applyLoras against a plain-loop merge', () => {
  it('merges linear layers as W + strength · alpha/rank · up·down, for the U-Net and the text encoder', async () => {
    const r = 4;
    const f: Record<string, TestTensor> = {};
    const layers = [TO_Q, FF_IN];
    for (const name of layers) {
      const [out, inp] = shapeOf(name) as [number, number];
      f[`${kohya(name)}.lora_up.weight`] = rand([out, r], 0.3);
      f[`${kohya(name)}.lora_down.weight`] = rand([r, inp], 0.3);
      f[`${kohya(name)}.alpha`] = scalar(2);
    }
    f[`${kohya(TE_Q, true)}.lora_up.weight`] = rand([32, r], 0.3);
    f[`${kohya(TE_Q, true)}.lora_down.weight`] = rand([r, 32], 0.3);
    f[`${kohya(TE_Q, true)}.alpha`] = scalar(1);
    const lora = await openLora(await writeTestFile(join(dir, 'linear.safetensors'), f));
    const merged = applyLoras(unet, [{ lora, strength: 0.7 }]);
    for (const name of layers) {
      const expected = plus(base(name), naiveLowRank(f[`${kohya(name)}.lora_up.weight`]!, f[`${kohya(name)}.lora_down.weight`]!, 0.7 * (2 / r)));
      expect(relativeError(await merged.get(name)!.read(), expected), name).toBeLessThan(1e-6);
    }
    const mergedClip = applyLoras(clip, [{ lora, strength: -1.5 }]);
    const expectedTe = plus(base(TE_Q), naiveLowRank(f[`${kohya(TE_Q, true)}.lora_up.weight`]!, f[`${kohya(TE_Q, true)}.lora_down.weight`]!, -1.5 / r));
    expect(relativeError(await mergedClip.get(TE_Q)!.read(), expectedTe)).toBeLessThan(1e-6);
  });

  it('widens fp16 factors exactly and scales by 1 when the file has no alpha', async () => {
    const [out, inp] = shapeOf(TO_Q) as [number, number];
    const up = rand([out, 8], 0.5, 'F16');
    const down = rand([8, inp], 0.5, 'F16');
    const lora = await openLora(await writeTestFile(join(dir, 'fp16.safetensors'), { [`${kohya(TO_Q)}.lora_up.weight`]: up, [`${kohya(TO_Q)}.lora_down.weight`]: down }));
    expect(lora.layers[0]!.scale).toBe(1);
    const got = await applyLoras(unet, [{ lora, strength: 1 }]).get(TO_Q)!.read();
    expect(relativeError(got, plus(base(TO_Q), naiveLowRank(up, down, 1)))).toBeLessThan(1e-6);
  });

  it('merges LoCon convolutions: a 3×3 down with a 1×1 up, and 1×1 proj_in with 4-D factors', async () => {
    const [out, inp] = shapeOf(CONV1) as [number, number];
    const up = rand([out, 3, 1, 1], 0.3);
    const down = rand([3, inp, 3, 3], 0.3);
    const c = shapeOf(PROJ_IN)[0]!;
    const pUp = rand([c, 2, 1, 1], 0.3);
    const pDown = rand([2, c, 1, 1], 0.3);
    const lora = await openLora(
      await writeTestFile(join(dir, 'locon.safetensors'), {
        [`${kohya(CONV1)}.lora_up.weight`]: up,
        [`${kohya(CONV1)}.lora_down.weight`]: down,
        [`${kohya(CONV1)}.alpha`]: scalar(1.5, 'F16'),
        [`${kohya(PROJ_IN)}.lora_up.weight`]: pUp,
        [`${kohya(PROJ_IN)}.lora_down.weight`]: pDown,
      }),
    );
    const merged = applyLoras(unet, [{ lora, strength: 0.5 }]);
    expect(merged.get(CONV1)!.shape).toEqual([out, inp, 3, 3]);
    expect(relativeError(await merged.get(CONV1)!.read(), plus(base(CONV1), naiveLowRank(up, down, 0.5 * (1.5 / 3))))).toBeLessThan(1e-6);
    expect(relativeError(await merged.get(PROJ_IN)!.read(), plus(base(PROJ_IN), naiveLowRank(pUp, pDown, 0.5)))).toBeLessThan(1e-6);
  });

  it('merges a LyCORIS Tucker layer (1×1 down, 3×3 lora_mid, 1×1 up)', async () => {
    const [out, inp] = shapeOf(CONV2_B1) as [number, number];
    const r = 3;
    const up = rand([out, r, 1, 1], 0.3);
    const mid = rand([r, r, 3, 3], 0.3);
    const down = rand([r, inp, 1, 1], 0.3);
    const lora = await openLora(
      await writeTestFile(join(dir, 'tucker.safetensors'), {
        [`${kohya(CONV2_B1)}.lora_up.weight`]: up,
        [`${kohya(CONV2_B1)}.lora_mid.weight`]: mid,
        [`${kohya(CONV2_B1)}.lora_down.weight`]: down,
        [`${kohya(CONV2_B1)}.alpha`]: scalar(1),
      }),
    );
    const got = await applyLoras(unet, [{ lora, strength: 0.9 }]).get(CONV2_B1)!.read();
    expect(relativeError(got, plus(base(CONV2_B1), naiveTucker(up, mid, down, 0.9 / r)))).toBeLessThan(1e-6);
  });

  it('merges a LoHa layer as (w1a·w1b) ⊙ (w2a·w2b) · alpha/rank', async () => {
    const [out, inp] = shapeOf(FF_OUT) as [number, number];
    const t = { w1a: rand([out, 2], 0.5), w1b: rand([2, inp], 0.5), w2a: rand([out, 2], 0.5), w2b: rand([2, inp], 0.5) };
    const m = kohya(FF_OUT);
    const lora = await openLora(
      await writeTestFile(join(dir, 'loha.safetensors'), {
        [`${m}.hada_w1_a`]: t.w1a,
        [`${m}.hada_w1_b`]: t.w1b,
        [`${m}.hada_w2_a`]: t.w2a,
        [`${m}.hada_w2_b`]: t.w2b,
        [`${m}.alpha`]: scalar(1),
      }),
    );
    const got = await applyLoras(unet, [{ lora, strength: 1.2 }]).get(FF_OUT)!.read();
    expect(relativeError(got, plus(base(FF_OUT), naiveLoha(t.w1a, t.w1b, t.w2a, t.w2b, 1.2 / 2)))).toBeLessThan(1e-6);
  });

  it('adds the updates of several LoRAs on one layer, each at its own strength', async () => {
    const [out, inp] = shapeOf(TO_Q) as [number, number];
    const a = { up: rand([out, 2], 0.4), down: rand([2, inp], 0.4) };
    const b = { up: rand([out, 5], 0.4), down: rand([5, inp], 0.4) };
    const write = (name: string, t: typeof a) =>
      writeTestFile(join(dir, name), { [`${kohya(TO_Q)}.lora_up.weight`]: t.up, [`${kohya(TO_Q)}.lora_down.weight`]: t.down });
    const la = await openLora(await write('a.safetensors', a));
    const lb = await openLora(await write('b.safetensors', b));
    const got = await applyLoras(unet, [{ lora: la, strength: 0.3 }, { lora: lb, strength: -0.8 }]).get(TO_Q)!.read();
    expect(relativeError(got, plus(base(TO_Q), naiveLowRank(a.up, a.down, 0.3), naiveLowRank(b.up, b.down, -0.8)))).toBeLessThan(1e-6);
  });

  it('patches only the first 4 input channels of PIA’s 9-channel conv_in with an image-model LoRA', async () => {
    const [out, inp] = shapeOf('conv_in.weight') as [number, number];
    expect(inp).toBe(9);
    const up = rand([out, 2, 1, 1], 0.3);
    const down = rand([2, 4, 3, 3], 0.3);
    const lora = await openLora(await writeTestFile(join(dir, 'conv-in.safetensors'), { 'lora_unet_conv_in.lora_up.weight': up, 'lora_unet_conv_in.lora_down.weight': down }));
    const got = await applyLoras(unet, [{ lora, strength: 1 }]).get('conv_in.weight')!.read();
    const delta4 = naiveLowRank(up, down, 1);
    const expected = new Float32Array(base('conv_in.weight'));
    for (let o = 0; o < out; o++) for (let j = 0; j < 4 * 9; j++) expected[o * 81 + j]! += delta4[o * 36 + j]!;
    expect(relativeError(got, expected)).toBeLessThan(1e-6);
  });
});

describe('applyLoras', () => {
  it('matches a hand computation: W = 0, up = [1, 2]ᵀ, down = [3, 4], alpha 0.5, rank 1, strength 2', async () => {
    const [out, inp] = shapeOf(TO_Q) as [number, number];
    const up = { shape: [out, 1], data: new Float32Array(out) };
    up.data[0] = 1;
    up.data[1] = 2;
    const down = { shape: [1, inp], data: new Float32Array(inp) };
    down.data[0] = 3;
    down.data[1] = 4;
    const lora = await openLora(
      await writeTestFile(join(dir, 'hand.safetensors'), {
        [`${kohya(TO_Q)}.lora_up.weight`]: up,
        [`${kohya(TO_Q)}.lora_down.weight`]: down,
        [`${kohya(TO_Q)}.alpha`]: scalar(0.5),
      }),
    );
    const zero = weightsFromArrays([[TO_Q, { shape: [out, inp], data: new Float32Array(out * inp) }]]);
    const w = await applyLoras(zero, [{ lora, strength: 2 }]).get(TO_Q)!.read();
    // 2 · (0.5 / 1) · [[1·3, 1·4], [2·3, 2·4]] in the top-left corner, zeros elsewhere.
    expect([w[0], w[1], w[inp], w[inp + 1]]).toEqual([3, 4, 6, 8]);
    expect(w.reduce((n, v) => n + (v !== 0 ? 1 : 0), 0)).toBe(4);
  });

  it('leaves untargeted tensors as they were and returns the base map when nothing applies', async () => {
    const [out, inp] = shapeOf(TO_Q) as [number, number];
    const lora = await openLora(
      await writeTestFile(join(dir, 'one.safetensors'), { [`${kohya(TO_Q)}.lora_up.weight`]: rand([out, 1]), [`${kohya(TO_Q)}.lora_down.weight`]: rand([1, inp]) }),
    );
    const merged = applyLoras(unet, [{ lora, strength: 1 }]);
    for (const [name, t] of unet) if (name !== TO_Q) expect(merged.get(name), name).toBe(t);
    expect(merged.get(TO_Q)).not.toBe(unet.get(TO_Q));
    expect(applyLoras(unet, [{ lora, strength: 0 }])).toBe(unet);
    expect(applyLoras(clip, [{ lora, strength: 1 }])).toBe(clip);
    expect([...loraMergedWeights(unet, [{ lora, strength: 1 }]).keys()]).toEqual([TO_Q]);
  });

  it('refuses a strength that is not a finite number, naming the file', async () => {
    const [out, inp] = shapeOf(TO_Q) as [number, number];
    const path = await writeTestFile(join(dir, 'nan.safetensors'), { [`${kohya(TO_Q)}.lora_up.weight`]: rand([out, 1]), [`${kohya(TO_Q)}.lora_down.weight`]: rand([1, inp]) });
    const lora = await openLora(path);
    expect(() => applyLoras(unet, [{ lora, strength: Number.NaN }])).toThrow(LoraError);
    expect(() => applyLoras(unet, [{ lora, strength: Number.NaN }])).toThrow(path);
  });

  it('refuses weights whose shape does not fit a layer the LoRA was matched for', async () => {
    const [out, inp] = shapeOf(TO_Q) as [number, number];
    const lora = await openLora(
      await writeTestFile(join(dir, 'fit.safetensors'), { [`${kohya(TO_Q)}.lora_up.weight`]: rand([out, 1]), [`${kohya(TO_Q)}.lora_down.weight`]: rand([1, inp]) }),
    );
    const wrong = weightsFromArrays([[TO_Q, { shape: [out + 1, inp], data: new Float32Array((out + 1) * inp) }]]);
    expect(() => applyLoras(wrong, [{ lora, strength: 1 }])).toThrow(/shape|does not fit|\[33, 32\]/);
  });
});
