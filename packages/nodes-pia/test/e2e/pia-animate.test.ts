/** PIA Animate (diffusers-style inputs) computes the same frames as the separate nodes with the same settings. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { defineNode, type ApiPrompt } from '@piagraph/graph-core';
import type { ImageValue } from '../../src/nodes/index.js';
import { PIA_DEFAULT_NEGATIVE_PROMPT } from '../../src/pipeline/index.js';
import { createHarness, promptWith, readExample, type Harness } from './harness.js';

let h: Harness;
const captured = new Map<string, ImageValue>();

beforeAll(async () => {
  h = await createHarness();
  h.registry.register(
    defineNode({
      classType: 'TestCaptureFrames',
      category: 'test',
      outputNode: true,
      cache: 'never',
      inputs: { required: { images: { type: 'IMAGE' }, tag: { type: 'STRING' } } },
      outputs: [],
      run({ images, tag }) {
        captured.set(tag, images);
        return { outputs: [] };
      },
    }),
  );
});

afterAll(async () => {
  await h?.close();
});

it('gives bit-identical frames to the separate nodes for motion_scale 2 = large-motion', async () => {
  const doc = await readExample('pia-image-to-video.json');
  const separate = promptWith(doc, h.registry, { '7.steps': 3 });
  delete separate['9'];
  separate['20'] = { class_type: 'TestCaptureFrames', inputs: { images: ['8', 0], tag: 'separate' } };
  const animate: ApiPrompt = {
    '4': separate['4']!,
    '30': {
      class_type: 'PIAAnimate',
      inputs: {
        image: ['4', 0],
        prompt: separate['2']!.inputs['text']!,
        negative_prompt: PIA_DEFAULT_NEGATIVE_PROMPT,
        num_frames: 8,
        num_inference_steps: 3,
        guidance_scale: 7.5,
        motion_scale: 2,
        seed: 42,
        ckpt_name: 'piagraph-demo-sd15.safetensors',
        pia_name: 'piagraph-demo-pia.ckpt',
        long_edge: 96,
      },
    },
    '31': { class_type: 'TestCaptureFrames', inputs: { images: ['30', 0], tag: 'animate' } },
  };
  expect(separate['3']!.inputs['text']).toBe(PIA_DEFAULT_NEGATIVE_PROMPT);
  expect((await h.run(separate)).result.status).toBe('success');
  const { result } = await h.run(animate);
  expect(result.status).toBe('success');
  const a = captured.get('animate')!;
  const b = captured.get('separate')!;
  expect(a.dims).toEqual([8, 3, 64, 96]);
  expect(a.dims).toEqual(b.dims);
  expect(Buffer.from(a.data.buffer).equals(Buffer.from(b.data.buffer))).toBe(true);
}, 60_000);
