import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_LORA, writeDemoLora } from '../../src/demo/index.js';
import { tiny } from '../../src/models/config.js';
import { openLora } from '../../src/lora/index.js';
import { openSafetensors, type WeightSource } from '../../src/weights/index.js';

let dir: string;
let file: WeightSource;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'piagraph-demo-lora-'));
  await writeDemoLora(join(dir, DEMO_LORA));
  file = await openSafetensors(join(dir, DEMO_LORA));
});

afterAll(async () => {
  await file?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('the demo LoRA', () => {
  it('keeps the piagraph-demo- prefix in its file name', () => {
    expect(DEMO_LORA).toBe('piagraph-demo-lora.safetensors');
  });

  it("is in kohya's layout: lora_unet_/lora_te_ modules with fp16 down, up and scalar alpha, and ss_ metadata", () => {
    const keys = file.keys();
    for (const k of keys) expect(k).toMatch(/^lora_(unet|te)_[a-z0-9_]+\.(lora_down\.weight|lora_up\.weight|alpha)$/);
    for (const k of keys) expect(file.info(k).dtype, k).toBe('F16');
    for (const k of keys.filter((k) => k.endsWith('.alpha'))) expect(file.info(k).shape).toEqual([]);
    expect(file.metadata.ss_network_module).toBe('networks.lora');
    expect(file.metadata.ss_base_model_version).toBe('sd_v1');
  });

  it('has LoCon convolutions as a 3×3 down and a 1×1 up', () => {
    expect(file.info('lora_unet_down_blocks_0_resnets_1_conv2.lora_down.weight').shape).toEqual([2, 32, 3, 3]);
    expect(file.info('lora_unet_down_blocks_0_resnets_1_conv2.lora_up.weight').shape).toEqual([32, 2, 1, 1]);
    expect(file.info('lora_unet_conv_out.lora_down.weight').shape).toEqual([2, 32, 3, 3]);
  });

  it('matches the tiny model: 6 transformers × 12 layers, 12 resnets × 2 convs and conv_out, 2 CLIP layers × 6', async () => {
    const lora = await openLora(join(dir, DEMO_LORA));
    expect(lora.config).toBe(tiny);
    expect(lora.ignoredKeys).toEqual([]);
    const unet = lora.layers.filter((l) => l.component === 'unet');
    expect(unet.filter((l) => l.target.includes('.attentions.')).length).toBe(72);
    expect(unet.filter((l) => !l.target.includes('.attentions.')).length).toBe(25);
    expect(lora.layers.filter((l) => l.component === 'clip').length).toBe(12);
    expect(new Set(lora.layers.map((l) => l.scale))).toEqual(new Set([0.5, 1]));
  });
});
