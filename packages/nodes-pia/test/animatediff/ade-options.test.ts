/**
 * What ADE's option nodes change: motion LoRAs and scale/effect multivals (as weight patches), the Adv. apply node's
 * step range, sample settings' noise, and prompt scheduling (one text per frame).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiPrompt } from '@piagraph/graph-core';
import { motionKeys } from '../../src/checkpoints/key-table.js';
import { tiny } from '../../src/models/config.js';
import { openMotionModel } from '../../src/motion/bind.js';
import { openMotionLora } from '../../src/motion/motion-lora.js';
import { motionPatchTensors } from '../../src/motion/patches.js';
import { writeTorchCheckpoint } from '../../src/weights/torch-zip-write.js';
import type { TensorToWrite } from '../../src/weights/tensor-input.js';
import type { Harness } from '../e2e/harness.js';
import { randn } from '../models/naive/tensor.js';
import { createAdeHarness, maxDiff, MM, run, same, textToVideo } from './helpers.js';

const LORA = 'tiny_v2_lora_PanLeft.ckpt';
let h: Harness;

/** A rank-2 motion LoRA on the q/k/v/out projections of a few modules, in AnimateDiff's motion-LoRA key layout. */
async function writeMotionLora(path: string): Promise<void> {
  const tensors: [string, TensorToWrite][] = [];
  let seed = 100;
  for (const spec of motionKeys(tiny.unet, { midBlock: true })) {
    const m = /^(.*)\.(to_q|to_k|to_v|to_out\.0)\.weight$/.exec(spec.alt);
    if (!m || !/^(down_blocks\.0|mid_block|up_blocks\.1)\./.test(spec.alt)) continue;
    const proj = m[2] === 'to_out.0' ? 'to_out' : m[2]!;
    const [out, inp] = spec.shape as [number, number];
    const base = `${m[1]}.processor.${proj}_lora`;
    tensors.push([`${base}.down.weight`, { dtype: 'F32', shape: [2, inp], data: randn([2, inp], seed++, 0.5).data }]);
    tensors.push([`${base}.up.weight`, { dtype: 'F32', shape: [out, 2], data: randn([out, 2], seed++, 0.5).data }]);
  }
  await writeTorchCheckpoint(path, tensors);
}

beforeAll(async () => {
  h = await createAdeHarness();
  await writeMotionLora(join(h.dirs.models, 'animatediff_motion_lora', LORA));
}, 120_000);
afterAll(async () => {
  await h?.close();
});

describe('motion weight patches', () => {
  it('add strength · up · down to a projection, scale the keys and the output projection (checked with plain loops)', async () => {
    const models = join(h.dirs.models, 'animatediff_models');
    await h.pack.context.prepareModels('animatediff_models', MM);
    const mm = await openMotionModel(join(models, MM));
    const lora = await openMotionLora(join(h.dirs.models, 'animatediff_motion_lora', LORA), tiny, true);
    try {
      const patched = motionPatchTensors(mm, { loras: [{ lora, strength: 0.7 }], scale: 1.5, effect: 0.25 });
      const key = 'mid_block.motion_modules.0.transformer_blocks.0.attn2.to_k.weight';
      const [w, up, down] = [await mm.motion.get(key)!.read(), await lora.updates.find((u) => u.target === key)!.up.read(), await lora.updates.find((u) => u.target === key)!.down.read()];
      const expected = new Float32Array(64 * 64);
      for (let o = 0; o < 64; o++) {
        for (let i = 0; i < 64; i++) expected[o * 64 + i] = (w[o * 64 + i]! + 0.7 * (up[o * 2]! * down[i]! + up[o * 2 + 1]! * down[64 + i]!)) * 1.5;
      }
      const got = await patched.get(key)!.read();
      expect(Math.max(...got.map((v, i) => Math.abs(v - expected[i]!)))).toBeLessThan(1e-5);
      const out = 'down_blocks.1.motion_modules.0.proj_out.bias';
      expect(Array.from(await patched.get(out)!.read())).toEqual(Array.from(await mm.motion.get(out)!.read(), (v) => Math.fround(v * 0.25)));
      // A weight neither the LoRA nor the multivals touch is not replaced.
      expect(patched.has('down_blocks.1.motion_modules.0.proj_in.weight')).toBe(false);
    } finally {
      await mm.close();
      await lora.close();
    }
  });
});

/** The Gen1 loader with a motion LoRA chain and/or a scale multival. */
function withOptions(options: { lora?: number; scale?: number; beta?: string }): ApiPrompt {
  return textToVideo({
    beta: options.beta ?? 'use existing',
    edit: (p) => {
      const loader = p['10']!.inputs as Record<string, unknown>;
      if (options.lora !== undefined) {
        p['20'] = { class_type: 'ADE_AnimateDiffLoRALoader', inputs: { name: LORA, strength: options.lora } };
        loader['motion_lora'] = ['20', 0];
      }
      if (options.scale !== undefined) {
        p['21'] = { class_type: 'ADE_MultivalDynamic', inputs: { float_val: options.scale } };
        loader['scale_multival'] = ['21', 0];
      }
    },
  });
}

describe('motion LoRAs, multivals and the step range in graphs', { timeout: 300_000 }, () => {
  it('a motion LoRA at strength 0 changes nothing, at strength 1 it changes the video', async () => {
    const base = await run(h, withOptions({}));
    expect(same(await run(h, withOptions({ lora: 0 })), base)).toBe(true);
    expect(maxDiff(await run(h, withOptions({ lora: 1 })), base)).toBeGreaterThan(2);
  });

  it('scale_multival 1 is the motion model as trained; 2 sharpens its attention and changes the video', async () => {
    const base = await run(h, withOptions({}));
    expect(same(await run(h, withOptions({ scale: 1 })), base)).toBe(true);
    expect(maxDiff(await run(h, withOptions({ scale: 2 })), base)).toBeGreaterThan(2);
  });

  it('the Adv. apply node over 0–1 is the simple one; over 1–1 the motion modules never act (as effect 0)', async () => {
    const adv = (start: number, end: number) =>
      textToVideo({
        motion: 'gen2',
        beta: 'use existing',
        edit: (p) => {
          p['12'] = { class_type: 'ADE_ApplyAnimateDiffModel', inputs: { motion_model: ['11', 0], start_percent: start, end_percent: end } };
        },
      });
    const simple = await run(h, textToVideo({ motion: 'gen2', beta: 'use existing' }));
    expect(same(await run(h, adv(0, 1)), simple)).toBe(true);
    const off = await run(h, textToVideo({ motion: 'gen2', beta: 'use existing', effect: 0 }));
    expect(same(await run(h, adv(1, 1)), off)).toBe(true);
    const half = await run(h, adv(0.5, 1));
    expect(maxDiff(half, simple)).toBeGreaterThan(0);
    expect(maxDiff(half, off)).toBeGreaterThan(0);
  });

  it('refuses a start_percent after the end_percent', async () => {
    const prompt = textToVideo({
      motion: 'gen2',
      edit: (p) => {
        p['12'] = { class_type: 'ADE_ApplyAnimateDiffModel', inputs: { motion_model: ['11', 0], start_percent: 0.8, end_percent: 0.2 } };
      },
    });
    const { result } = await h.run(prompt);
    expect(result.error?.exception_message).toContain('start_percent 0.8 is after end_percent 0.2');
  });
});

describe('sample settings in a graph', { timeout: 300_000 }, () => {
  const withSettings = (inputs: Record<string, unknown>) =>
    textToVideo({
      edit: (p) => {
        p['22'] = { class_type: 'ADE_AnimateDiffSamplingSettings', inputs: { batch_offset: 0, noise_type: 'default', seed_gen: 'comfy', seed_offset: 0, ...inputs } };
        (p['10']!.inputs as Record<string, unknown>)['sample_settings'] = ['22', 0];
      },
    });

  it("default settings keep ComfyUI's noise; seed_offset 1 gives seed + 1's video", async () => {
    const base = await run(h, textToVideo({}));
    expect(same(await run(h, withSettings({})), base)).toBe(true);
    expect(same(await run(h, withSettings({ seed_offset: 1 })), await run(h, textToVideo({ seed: 12 })))).toBe(true);
  });

  it('constant noise gives every frame the same start', async () => {
    const video = await run(h, withSettings({ noise_type: 'constant' }));
    expect(maxDiff(video, await run(h, textToVideo({})))).toBeGreaterThan(2);
  });

  it('refuses a GPU seed generator before anything runs', async () => {
    const { result } = await h.run(withSettings({ seed_gen: 'comfy [gpu]' }));
    expect(JSON.stringify(result.validation)).toContain('CUDA generator');
  });
});

describe('prompt scheduling in a graph', { timeout: 300_000 }, () => {
  const scheduled = (prompts: string) =>
    textToVideo({
      edit: (p) => {
        p['23'] = { class_type: 'ADE_PromptSchedulingLatents', inputs: { prompts, clip: ['1', 1], latent: ['4', 0] } };
        (p['5']!.inputs as Record<string, unknown>)['positive'] = ['23', 0];
        (p['5']!.inputs as Record<string, unknown>)['latent_image'] = ['23', 1];
      },
    });

  it('a one-keyframe schedule is the plain prompt on every frame; two keyframes change the video', async () => {
    const plain = await run(h, textToVideo({}));
    expect(same(await run(h, scheduled('"0": "waves on a beach"')), plain)).toBe(true);
    expect(maxDiff(await run(h, scheduled('"0": "waves on a beach", "5": "a forest fire at night"')), plain)).toBeGreaterThan(2);
  });

  it('refuses bad keyframes, naming the prompts input', async () => {
    const { result } = await h.run(scheduled('"4": "a", "2": "b"'));
    expect(result.error?.node_id).toBe('23');
    expect(result.error?.exception_message).toContain('keyframes must go forward');
  });
});
