import { describe, expect, it } from 'vitest';
import { sd15 } from '../../src/models/config.js';
import { loraModuleNames, parseLoraKey } from '../../src/lora/index.js';
import { clipTower, diffusersUnet, ldmUnet } from '../checkpoints/helpers/sd15-reference-keys.js';

const names = loraModuleNames(sd15);
const isLayer = (key: string, shape: readonly number[]) => key.endsWith('.weight') && (shape.length === 2 || shape.length === 4);
const moduleOf = (key: string) => key.slice(0, -'.weight'.length);

describe('LoRA module names of SD 1.5 (against key lists written independently of the key tables)', () => {
  const diffusers = [...diffusersUnet(4)].filter(([k, s]) => isLayer(k, s));
  const ldm = [...ldmUnet(4)].filter(([k, s]) => isLayer(k, s));

  it('maps kohya names of every diffusers U-Net layer to that layer', () => {
    for (const [key] of diffusers) {
      const target = names.get(`lora_unet_${moduleOf(key).replaceAll('.', '_')}`);
      expect(target?.weight, key).toBe(key);
      expect(target?.component).toBe('unet');
    }
  });

  it('maps kohya names of every LDM U-Net layer one-to-one onto the diffusers layers, shapes agreeing', () => {
    const seen = new Set<string>();
    for (const [key, shape] of ldm) {
      const alias = `lora_unet_${moduleOf(key.slice('model.diffusion_model.'.length)).replaceAll('.', '_')}`;
      const target = names.get(alias);
      expect(target, alias).toBeDefined();
      expect(seen.has(target!.weight), `${alias} maps to an already mapped layer`).toBe(false);
      seen.add(target!.weight);
      const expected = diffusersUnet(9).get(target!.weight)!;
      // conv_in has 9 input channels in PIA and 4 in the image model; the rest agree exactly.
      expect(target!.weight === 'conv_in.weight' ? shape.slice(0, 1) : shape, alias).toEqual(target!.weight === 'conv_in.weight' ? expected.slice(0, 1) : expected);
    }
    expect(seen.size).toBe(diffusers.length);
  });

  it('maps known LDM ↔ diffusers pairs (resnet convs, samplers, transformers, time embedding)', () => {
    const pairs: [string, string][] = [
      ['lora_unet_input_blocks_1_0_in_layers_2', 'down_blocks.0.resnets.0.conv1.weight'],
      ['lora_unet_input_blocks_4_0_skip_connection', 'down_blocks.1.resnets.0.conv_shortcut.weight'],
      ['lora_unet_input_blocks_6_0_op', 'down_blocks.1.downsamplers.0.conv.weight'],
      ['lora_unet_input_blocks_8_1_transformer_blocks_0_attn2_to_k', 'down_blocks.2.attentions.1.transformer_blocks.0.attn2.to_k.weight'],
      ['lora_unet_middle_block_2_out_layers_3', 'mid_block.resnets.1.conv2.weight'],
      ['lora_unet_output_blocks_2_1_conv', 'up_blocks.0.upsamplers.0.conv.weight'],
      ['lora_unet_output_blocks_5_2_conv', 'up_blocks.1.upsamplers.0.conv.weight'],
      ['lora_unet_output_blocks_11_1_proj_out', 'up_blocks.3.attentions.2.proj_out.weight'],
      ['lora_unet_output_blocks_3_0_emb_layers_1', 'up_blocks.1.resnets.0.time_emb_proj.weight'],
      ['lora_unet_time_embed_2', 'time_embedding.linear_2.weight'],
      ['lora_unet_out_2', 'conv_out.weight'],
    ];
    for (const [alias, weight] of pairs) expect(names.get(alias)?.weight, alias).toBe(weight);
  });

  it('maps kohya (lora_te_, lora_te1_) and diffusers names of every CLIP layer, not the embeddings', () => {
    const clip = [...clipTower('')].filter(([k, s]) => isLayer(k, s));
    let layers = 0;
    for (const [key] of clip) {
      const path = moduleOf(key);
      if (path.includes('embedding')) {
        expect(names.has(`lora_te_${path.replaceAll('.', '_')}`)).toBe(false);
        continue;
      }
      layers++;
      for (const alias of [`lora_te_${path.replaceAll('.', '_')}`, `lora_te1_${path.replaceAll('.', '_')}`, `text_encoder.${path}`]) {
        expect(names.get(alias)?.weight, alias).toBe(key);
        expect(names.get(alias)?.component).toBe('clip');
      }
    }
    expect(layers).toBe(72);
  });

  it('covers the 192 U-Net modules of a default kohya SD 1.5 LoRA (16 transformers × 12 layers)', () => {
    const transformerLayers = diffusers.filter(([k]) => k.includes('.attentions.'));
    expect(transformerLayers.length).toBe(192);
    for (const [k] of transformerLayers) expect(names.has(`lora_unet_${moduleOf(k).replaceAll('.', '_')}`)).toBe(true);
  });
});

describe('parseLoraKey', () => {
  it('splits each convention into module and role', () => {
    expect(parseLoraKey('lora_unet_conv_in.lora_down.weight')).toEqual({ module: 'lora_unet_conv_in', role: 'down', style: 'kohya' });
    expect(parseLoraKey('lora_te_text_model_encoder_layers_0_mlp_fc1.alpha')).toMatchObject({ role: 'alpha' });
    expect(parseLoraKey('unet.mid_block.attentions.0.proj_in.lora_B.weight')).toEqual({ module: 'unet.mid_block.attentions.0.proj_in', role: 'up', style: 'peft' });
    expect(parseLoraKey('a.b.to_q.lora_A.default.weight')).toMatchObject({ module: 'a.b.to_q', role: 'down' });
    expect(parseLoraKey('x.attn1.processor.to_out_lora.up.weight')).toMatchObject({ module: 'x.attn1.processor.to_out', role: 'up' });
    expect(parseLoraKey('x.to_q.lora.down.weight')).toMatchObject({ module: 'x.to_q', role: 'down' });
    expect(parseLoraKey('x.fc1.lora_linear_layer.up.weight')).toMatchObject({ module: 'x.fc1', role: 'up' });
    expect(parseLoraKey('lora_unet_x.hada_w2_b')).toMatchObject({ module: 'lora_unet_x', role: 'hada_w2_b' });
    expect(parseLoraKey('lora_unet_x.dora_scale')).toMatchObject({ role: 'unsupported' });
    expect(parseLoraKey('model.diffusion_model.out.2.weight')).toBeUndefined();
  });
});
