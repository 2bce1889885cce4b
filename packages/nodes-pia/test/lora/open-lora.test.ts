import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sd15, tiny } from '../../src/models/config.js';
import { LoraError, openLora, type LoraFile } from '../../src/lora/index.js';
import { float32ToBfloat16, writeTorchCheckpoint } from '../../src/weights/index.js';
import { rand, scalar, writeTestFile, type TestTensor } from './helpers/lora-files.js';

let dir: string;
let n = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'piagraph-lora-open-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const write = (tensors: Record<string, TestTensor>) => writeTestFile(join(dir, `f${n++}.safetensors`), tensors);

/** A rank-`r` pair `{prefix}{up}` / `{prefix}{down}` for a `[out, inp]` layer. */
function pair(upKey: string, downKey: string, out: number, inp: number, r = 2): Record<string, TestTensor> {
  return { [upKey]: rand([out, r], 0.1), [downKey]: rand([r, inp], 0.1) };
}

const targets = (lora: LoraFile) => Object.fromEntries(lora.layers.map((l) => [l.module, l.target]));

async function rejection(promise: Promise<unknown>): Promise<LoraError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(LoraError);
  return err as LoraError;
}

describe('openLora key layouts (tiny config: 32/64 channels, cross-attention 32, CLIP width 32)', () => {
  it('reads kohya names built from the diffusers module path', async () => {
    const lora = await openLora(
      await write({
        ...pair('lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn2_to_k.lora_up.weight', 'lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn2_to_k.lora_down.weight', 32, 32),
        ...pair('lora_unet_mid_block_attentions_0_transformer_blocks_0_attn1_to_out_0.lora_up.weight', 'lora_unet_mid_block_attentions_0_transformer_blocks_0_attn1_to_out_0.lora_down.weight', 64, 64),
        'lora_unet_mid_block_attentions_0_transformer_blocks_0_attn1_to_out_0.alpha': scalar(1, 'F16'),
        ...pair('lora_te_text_model_encoder_layers_1_mlp_fc2.lora_up.weight', 'lora_te_text_model_encoder_layers_1_mlp_fc2.lora_down.weight', 32, 128),
      }),
    );
    expect(lora.config).toBe(tiny);
    expect(lora.styles).toEqual(['kohya']);
    expect(targets(lora)).toEqual({
      lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn2_to_k: 'down_blocks.0.attentions.0.transformer_blocks.0.attn2.to_k.weight',
      lora_unet_mid_block_attentions_0_transformer_blocks_0_attn1_to_out_0: 'mid_block.attentions.0.transformer_blocks.0.attn1.to_out.0.weight',
      lora_te_text_model_encoder_layers_1_mlp_fc2: 'text_model.encoder.layers.1.mlp.fc2.weight',
    });
    expect(lora.layers.find((l) => l.module.includes('mid_block'))!.scale).toBe(0.5);
    expect(lora.layers.find((l) => l.module.includes('mlp'))!.component).toBe('clip');
  });

  it('reads kohya names built from the LDM module path (input/middle/output blocks, in_layers, op)', async () => {
    // tiny: 2 resnets per down block, so input_blocks.1–2 are down block 0, .3 its downsampler, .4–5 down block 1.
    const lora = await openLora(
      await write({
        ...pair('lora_unet_input_blocks_2_1_transformer_blocks_0_ff_net_2.lora_up.weight', 'lora_unet_input_blocks_2_1_transformer_blocks_0_ff_net_2.lora_down.weight', 32, 128),
        ...pair('lora_unet_middle_block_1_proj_in.lora_up.weight', 'lora_unet_middle_block_1_proj_in.lora_down.weight', 64, 64),
        'lora_unet_input_blocks_3_0_op.lora_up.weight': rand([32, 2, 1, 1], 0.1),
        'lora_unet_input_blocks_3_0_op.lora_down.weight': rand([2, 32, 3, 3], 0.1),
        'lora_unet_output_blocks_3_0_in_layers_2.lora_up.weight': rand([32, 2, 1, 1], 0.1),
        'lora_unet_output_blocks_3_0_in_layers_2.lora_down.weight': rand([2, 64 + 32, 3, 3], 0.1),
      }),
    );
    expect(targets(lora)).toEqual({
      lora_unet_input_blocks_2_1_transformer_blocks_0_ff_net_2: 'down_blocks.0.attentions.1.transformer_blocks.0.ff.net.2.weight',
      lora_unet_middle_block_1_proj_in: 'mid_block.attentions.0.proj_in.weight',
      lora_unet_input_blocks_3_0_op: 'down_blocks.0.downsamplers.0.conv.weight',
      lora_unet_output_blocks_3_0_in_layers_2: 'up_blocks.1.resnets.0.conv1.weight',
    });
  });

  it('reads PEFT files (lora_A / lora_B under unet. and text_encoder.) and lora_te1_ names', async () => {
    const lora = await openLora(
      await write({
        ...pair('unet.up_blocks.1.attentions.2.transformer_blocks.0.attn1.to_v.lora_B.weight', 'unet.up_blocks.1.attentions.2.transformer_blocks.0.attn1.to_v.lora_A.weight', 32, 32, 4),
        ...pair('text_encoder.text_model.encoder.layers.0.self_attn.out_proj.lora_B.weight', 'text_encoder.text_model.encoder.layers.0.self_attn.out_proj.lora_A.weight', 32, 32),
        ...pair('lora_te1_text_model_encoder_layers_1_self_attn_v_proj.lora_up.weight', 'lora_te1_text_model_encoder_layers_1_self_attn_v_proj.lora_down.weight', 32, 32),
      }),
    );
    expect(Object.values(targets(lora)).sort()).toEqual([
      'text_model.encoder.layers.0.self_attn.out_proj.weight',
      'text_model.encoder.layers.1.self_attn.v_proj.weight',
      'up_blocks.1.attentions.2.transformer_blocks.0.attn1.to_v.weight',
    ]);
    expect(lora.layers.find((l) => l.module.startsWith('unet.'))!.rank).toBe(4);
    expect(lora.styles).toContain('peft');
  });

  it('reads the diffusers layouts: .lora.up/down, lora_linear_layer and attention processors (to_out_lora → to_out.0)', async () => {
    const p = 'down_blocks.0.attentions.1.transformer_blocks.0.attn1';
    const lora = await openLora(
      await write({
        ...pair(`unet.${p}.to_q.lora.up.weight`, `unet.${p}.to_q.lora.down.weight`, 32, 32),
        ...pair('text_encoder.text_model.encoder.layers.0.mlp.fc1.lora_linear_layer.up.weight', 'text_encoder.text_model.encoder.layers.0.mlp.fc1.lora_linear_layer.down.weight', 128, 32),
        ...pair(`${p}.processor.to_out_lora.up.weight`, `${p}.processor.to_out_lora.down.weight`, 32, 32),
        ...pair(`unet.${p}.processor.to_k_lora.up.weight`, `unet.${p}.processor.to_k_lora.down.weight`, 32, 32),
      }),
    );
    expect(Object.values(targets(lora)).sort()).toEqual([
      `${p}.to_k.weight`,
      `${p}.to_out.0.weight`,
      `${p}.to_q.weight`,
      'text_model.encoder.layers.0.mlp.fc1.weight',
    ]);
    expect(lora.styles).toEqual(['diffusers']);
  });

  it('reads a PyTorch (.pt) LoRA with bf16 factors as well as .safetensors', async () => {
    const m = 'lora_unet_up_blocks_1_attentions_0_proj_out';
    const up = rand([32, 2, 1, 1], 0.1);
    const down = rand([2, 32, 1, 1], 0.1);
    const path = join(dir, 'torch-lora.pt');
    const bf16 = (t: TestTensor) => ({ dtype: 'BF16' as const, shape: t.shape, data: float32ToBfloat16(t.data) });
    await writeTorchCheckpoint(path, { [`${m}.lora_up.weight`]: bf16(up), [`${m}.lora_down.weight`]: bf16(down), [`${m}.alpha`]: { dtype: 'F32', shape: [], data: Float32Array.of(1) } });
    const lora = await openLora(path);
    expect(lora.layers.map((l) => [l.target, l.rank, l.scale])).toEqual([['up_blocks.1.attentions.0.proj_out.weight', 2, 0.5]]);
    const u = lora.layers[0]!.update;
    expect(u.kind === 'low-rank' && u.up.dtype).toBe('BF16');
  });

  it('picks the SD 1.5 config for an SD 1.5-sized LoRA and honours an explicit config', async () => {
    const path = await write(pair('lora_unet_down_blocks_2_attentions_1_transformer_blocks_0_attn2_to_v.lora_up.weight', 'lora_unet_down_blocks_2_attentions_1_transformer_blocks_0_attn2_to_v.lora_down.weight', 1280, 768));
    expect((await openLora(path)).config).toBe(sd15);
    expect((await openLora(path, { config: sd15 })).layers[0]!.target).toBe('down_blocks.2.attentions.1.transformer_blocks.0.attn2.to_v.weight');
    const err = await rejection(openLora(path, { config: tiny }));
    expect(err.code).toBe('no-match');
  });

  it('keeps keys that match no layer aside instead of applying them', async () => {
    const lora = await openLora(
      await write({
        ...pair('lora_unet_down_blocks_0_attentions_0_proj_out.lora_up.weight', 'lora_unet_down_blocks_0_attentions_0_proj_out.lora_down.weight', 32, 32),
        ...pair('lora_unet_some_other_layer.lora_up.weight', 'lora_unet_some_other_layer.lora_down.weight', 8, 8),
      }),
    );
    expect(lora.layers.map((l) => l.target)).toEqual(['down_blocks.0.attentions.0.proj_out.weight']);
    expect([...lora.ignoredKeys].sort()).toEqual(['lora_unet_some_other_layer.lora_down.weight', 'lora_unet_some_other_layer.lora_up.weight']);
  });
});

describe('openLora refuses what it cannot apply, naming the file and the first keys', () => {
  it('an SDXL LoRA by its second text encoder', async () => {
    const path = await write(pair('lora_te2_text_model_encoder_layers_0_self_attn_q_proj.lora_up.weight', 'lora_te2_text_model_encoder_layers_0_self_attn_q_proj.lora_down.weight', 1280, 1280));
    const err = await rejection(openLora(path));
    expect(err.code).toBe('wrong-family');
    expect(err.message).toContain(path);
    expect(err.message).toContain('SDXL');
    expect(err.message).toContain('lora_te2_text_model_encoder_layers_0_self_attn_q_proj');
  });

  it('an SDXL LoRA in LDM names by its 2048-wide cross-attention (names SD 1.5 also has)', async () => {
    const key = 'lora_unet_input_blocks_4_1_transformer_blocks_0_attn2_to_k.lora_down.weight';
    const path = await write(pair('lora_unet_input_blocks_4_1_transformer_blocks_0_attn2_to_k.lora_up.weight', key, 640, 2048));
    const err = await rejection(openLora(path));
    expect(err.code).toBe('wrong-family');
    expect(err.message).toMatch(/SDXL.*2048/);
    expect(err.message).toContain(key);
  });

  it('an SDXL LoRA by its ten-block transformers', async () => {
    const path = await write(pair('lora_unet_input_blocks_7_1_transformer_blocks_3_attn1_to_q.lora_up.weight', 'lora_unet_input_blocks_7_1_transformer_blocks_3_attn1_to_q.lora_down.weight', 1280, 1280));
    expect((await rejection(openLora(path))).code).toBe('wrong-family');
  });

  it('an SD 2.x LoRA by its 1024-wide cross-attention', async () => {
    const path = await write(pair('lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn2_to_v.lora_up.weight', 'lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn2_to_v.lora_down.weight', 320, 1024));
    const err = await rejection(openLora(path));
    expect(err.code).toBe('wrong-family');
    expect(err.details.family).toMatch(/2\.x/);
  });

  it('a file whose keys match no layer', async () => {
    const path = await write(pair('lora_unet_not_a_layer.lora_up.weight', 'lora_unet_not_a_layer.lora_down.weight', 4, 4));
    const err = await rejection(openLora(path));
    expect(err.code).toBe('no-match');
    expect(err.message).toContain(path);
    expect(err.message).toContain('lora_unet_not_a_layer');
  });

  it('a file with no LoRA keys at all (a checkpoint picked by mistake)', async () => {
    const path = await write({ 'model.diffusion_model.input_blocks.0.0.weight': rand([4, 4]) });
    const err = await rejection(openLora(path));
    expect(err.code).toBe('no-match');
    expect(err.message).toContain('model.diffusion_model.input_blocks.0.0.weight');
  });

  it('factors whose shapes do not fit their layer, counting every such layer', async () => {
    const path = await write({
      ...pair('lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn1_to_q.lora_up.weight', 'lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn1_to_q.lora_down.weight', 32, 33),
      ...pair('lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn1_to_k.lora_up.weight', 'lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn1_to_k.lora_down.weight', 31, 32),
    });
    const err = await rejection(openLora(path, { config: tiny }));
    expect(err.code).toBe('shape-mismatch');
    expect(err.message).toContain(path);
    expect(err.message).toMatch(/attn1_to_[qk]\.lora_(up|down)\.weight/);
    expect(err.details.count).toBe(2);
  });

  it('a layer with an up factor but no down factor', async () => {
    const path = await write({ 'lora_unet_down_blocks_0_attentions_0_proj_in.lora_up.weight': rand([32, 2, 1, 1]) });
    const err = await rejection(openLora(path, { config: tiny }));
    expect(err.code).toBe('incomplete');
    expect(err.message).toContain('lora_unet_down_blocks_0_attentions_0_proj_in');
  });

  it('DoRA layers, which this engine does not merge', async () => {
    const m = 'lora_unet_down_blocks_0_attentions_0_proj_in';
    const path = await write({ ...pair(`${m}.lora_up.weight`, `${m}.lora_down.weight`, 32, 32), [`${m}.dora_scale`]: rand([32, 1]) });
    const err = await rejection(openLora(path, { config: tiny }));
    expect(err.code).toBe('unsupported');
    expect(err.message).toContain(`${m}.dora_scale`);
  });

  it('a missing file, as the weight reader reports it', async () => {
    await expect(openLora(join(dir, 'absent.safetensors'))).rejects.toThrow(/absent\.safetensors.*no such file/);
  });
});
