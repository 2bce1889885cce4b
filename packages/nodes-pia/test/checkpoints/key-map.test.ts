import { describe, expect, it } from 'vitest';
import { sd15 } from '../../src/models/config.js';
import { componentKeys, diffusersFolderName, diffusersToLdm, ldmToDiffusers, motionLayoutOf, motionToDiffusers } from '../../src/checkpoints/key-map.js';
import { clipTower, diffusersUnet, ldmUnet, ldmVae, originalMotion, total } from './helpers/sd15-reference-keys.js';

function squeeze(shape: readonly number[]): number[] {
  return shape.length === 4 && shape[2] === 1 && shape[3] === 1 ? shape.slice(0, 2) : [...shape];
}

describe('SD 1.5 key mapping', () => {
  const ldm = new Map([...ldmUnet(), ...ldmVae(), ...clipTower('cond_stage_model.transformer.')]);

  it('maps every LDM key of SD 1.5 to exactly one canonical key of the same shape', () => {
    const seen = new Map<string, string>();
    for (const [key, shape] of ldm) {
      const mapped = ldmToDiffusers(sd15, key);
      expect(mapped, key).toBeDefined();
      const id = `${mapped!.component}:${mapped!.spec.name}`;
      expect(seen.has(id), `${key} and ${seen.get(id)} both map to ${id}`).toBe(false);
      seen.set(id, key);
      expect(squeeze(mapped!.spec.shape), key).toEqual(squeeze(shape));
    }
    const canonical = ['unet', 'vae', 'clip'].reduce((n, c) => n + componentKeys(sd15, c as 'unet').specs.length, 0);
    expect(seen.size).toBe(canonical);
  });

  it('maps every canonical key back to the LDM key it came from', () => {
    for (const key of ldm.keys()) {
      const mapped = ldmToDiffusers(sd15, key)!;
      if (mapped.component === 'motion') throw new Error('LDM files hold no motion modules');
      expect(diffusersToLdm(sd15, mapped.component, mapped.spec.name)).toBe(key);
    }
  });

  it('lists exactly the diffusers UNet2DConditionModel keys and shapes', () => {
    const expected = diffusersUnet(9);
    const table = new Map(componentKeys(sd15, 'unet').specs.map((s) => [s.name, [...s.shape]]));
    expect(new Set(table.keys())).toEqual(new Set(expected.keys()));
    for (const [k, s] of expected) expect(table.get(k), k).toEqual(s);
  });

  it('routes known SD 1.5 keys the way the diffusers converter does', () => {
    const pairs: [string, string][] = [
      ['model.diffusion_model.input_blocks.3.0.op.weight', 'down_blocks.0.downsamplers.0.conv.weight'],
      ['model.diffusion_model.input_blocks.4.0.skip_connection.weight', 'down_blocks.1.resnets.0.conv_shortcut.weight'],
      ['model.diffusion_model.output_blocks.2.1.conv.weight', 'up_blocks.0.upsamplers.0.conv.weight'],
      ['model.diffusion_model.output_blocks.5.2.conv.bias', 'up_blocks.1.upsamplers.0.conv.bias'],
      ['model.diffusion_model.output_blocks.11.1.proj_out.weight', 'up_blocks.3.attentions.2.proj_out.weight'],
      ['model.diffusion_model.middle_block.2.emb_layers.1.weight', 'mid_block.resnets.1.time_emb_proj.weight'],
      ['model.diffusion_model.out.0.bias', 'conv_norm_out.bias'],
      ['first_stage_model.decoder.up.3.block.0.norm1.weight', 'decoder.up_blocks.0.resnets.0.norm1.weight'],
      ['first_stage_model.decoder.up.1.upsample.conv.weight', 'decoder.up_blocks.2.upsamplers.0.conv.weight'],
      ['first_stage_model.encoder.mid.attn_1.proj_out.weight', 'encoder.mid_block.attentions.0.to_out.0.weight'],
      ['first_stage_model.encoder.norm_out.weight', 'encoder.conv_norm_out.weight'],
      ['cond_stage_model.transformer.text_model.final_layer_norm.bias', 'text_model.final_layer_norm.bias'],
    ];
    for (const [l, d] of pairs) expect(ldmToDiffusers(sd15, l)?.spec.name, l).toBe(d);
  });

  it('accepts CLIP keys saved without the text_model prefix', () => {
    const mapped = ldmToDiffusers(sd15, 'cond_stage_model.transformer.encoder.layers.3.mlp.fc1.weight');
    expect(mapped?.spec.name).toBe('text_model.encoder.layers.3.mlp.fc1.weight');
  });

  it('does not map keys outside the three networks', () => {
    expect(ldmToDiffusers(sd15, 'model_ema.decay')).toBeUndefined();
    expect(ldmToDiffusers(sd15, 'alphas_cumprod')).toBeUndefined();
    expect(ldmToDiffusers(sd15, 'model.diffusion_model.label_emb.0.0.weight')).toBeUndefined();
  });

  it('renames old diffusers VAE attention names', () => {
    expect(diffusersFolderName('vae', 'encoder.mid_block.attentions.0.proj_attn.weight')).toBe('encoder.mid_block.attentions.0.to_out.0.weight');
    expect(diffusersFolderName('vae', 'decoder.mid_block.attentions.0.query.bias')).toBe('decoder.mid_block.attentions.0.to_q.bias');
  });
});

describe('PIA motion-module key mapping', () => {
  const original = originalMotion();

  it('maps every original PIA key to one MotionAdapter key of the same shape', () => {
    expect(motionLayoutOf(original.keys())).toBe('original');
    const names = new Set<string>();
    for (const [key, shape] of original) {
      const spec = motionToDiffusers(sd15, 'original', key);
      expect(spec, key).toBeDefined();
      expect([...spec!.shape]).toEqual(shape);
      names.add(spec!.name);
    }
    expect(names.size).toBe(original.size);
    expect(componentKeys(sd15, 'motion').specs.length).toBe(original.size);
  });

  it('renames attention blocks, norms and ff_norm as the diffusers conversion script does', () => {
    const spec = motionToDiffusers(sd15, 'original', 'up_blocks.3.motion_modules.2.temporal_transformer.transformer_blocks.0.attention_blocks.1.to_out.0.weight');
    expect(spec?.name).toBe('up_blocks.3.motion_modules.2.transformer_blocks.0.attn2.to_out.0.weight');
    const norm = motionToDiffusers(sd15, 'original', 'down_blocks.0.motion_modules.1.temporal_transformer.transformer_blocks.0.ff_norm.bias');
    expect(norm?.name).toBe('down_blocks.0.motion_modules.1.transformer_blocks.0.norm3.bias');
  });

  it('holds 417,137,600 motion-module parameters as pia-model.md §3.7 computes', () => {
    expect(total(original)).toBe(417_137_600);
  });
});

describe('parameter counts of sd15', () => {
  const count = (c: 'unet' | 'motion' | 'vae' | 'clip') =>
    componentKeys(sd15, c).specs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0);

  it('gives the SD 1.5 U-Net 859,520,964 parameters plus 14,400 for five more conv_in channels', () => {
    expect(count('unet')).toBe(859_520_964 + 14_400);
  });

  it('gives the motion modules 417,137,600 parameters', () => {
    expect(count('motion')).toBe(417_137_600);
  });

  it('gives the VAE 83,653,863 parameters', () => {
    expect(count('vae')).toBe(83_653_863);
  });

  it('gives the CLIP text tower 123,060,480 parameters', () => {
    expect(count('clip')).toBe(123_060_480);
  });
});
