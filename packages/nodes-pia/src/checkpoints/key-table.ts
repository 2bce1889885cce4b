/**
 * The complete list of tensors each network needs, under its canonical (diffusers) name, with its shape
 * and its name in the other layouts: LDM single-file checkpoints for the U-Net, VAE and CLIP, original
 * AnimateDiff/PIA names for the motion modules. Everything is derived from a config, so `sd15` and `tiny`
 * share one mapping and the mapping is a table, not a set of string rewrites that could drift.
 */
import {
  channelsAt,
  downBlockHasAttention,
  timeEmbedDim,
  upBlockHasAttention,
  type ClipConfig,
  type UNetConfig,
  type VaeConfig,
} from '../models/config.js';
import { shapeElements } from '../weights/dtype.js';

/** One tensor of a network. */
export interface KeySpec {
  /** Canonical (diffusers) name, without a component prefix. */
  readonly name: string;
  readonly shape: readonly number[];
  /** Name in the other layout (LDM for unet/vae/clip without their prefix; original AnimateDiff for motion). */
  readonly alt: string;
  /** Shape in the other layout when it differs (the VAE's 1×1 conv attention weights). */
  readonly altShape?: readonly number[];
}

/** Prefixes of the three networks inside an LDM single-file checkpoint. */
export const LDM_PREFIX = {
  unet: 'model.diffusion_model.',
  vae: 'first_stage_model.',
  clip: 'cond_stage_model.transformer.',
} as const;

type Push = (name: string, shape: readonly number[], alt: string, altShape?: readonly number[]) => void;

function collector(): { specs: KeySpec[]; push: Push } {
  const specs: KeySpec[] = [];
  const push: Push = (name, shape, alt, altShape) =>
    specs.push(altShape === undefined ? { name, shape, alt } : { name, shape, alt, altShape });
  return { specs, push };
}

function pushAffine(push: Push, name: string, alt: string, c: number): void {
  push(`${name}.weight`, [c], `${alt}.weight`);
  push(`${name}.bias`, [c], `${alt}.bias`);
}

function pushConv(push: Push, name: string, alt: string, out: number, inp: number, k: number): void {
  push(`${name}.weight`, [out, inp, k, k], `${alt}.weight`);
  push(`${name}.bias`, [out], `${alt}.bias`);
}

function pushLinear(push: Push, name: string, alt: string, out: number, inp: number, bias = true): void {
  push(`${name}.weight`, [out, inp], `${alt}.weight`);
  if (bias) push(`${name}.bias`, [out], `${alt}.bias`);
}

function unetResnet(push: Push, name: string, alt: string, cin: number, c: number, temb: number): void {
  pushAffine(push, `${name}.norm1`, `${alt}.in_layers.0`, cin);
  pushConv(push, `${name}.conv1`, `${alt}.in_layers.2`, c, cin, 3);
  pushLinear(push, `${name}.time_emb_proj`, `${alt}.emb_layers.1`, c, temb);
  pushAffine(push, `${name}.norm2`, `${alt}.out_layers.0`, c);
  pushConv(push, `${name}.conv2`, `${alt}.out_layers.3`, c, c, 3);
  if (cin !== c) pushConv(push, `${name}.conv_shortcut`, `${alt}.skip_connection`, c, cin, 1);
}

function spatialTransformer(push: Push, name: string, alt: string, c: number, cross: number): void {
  pushAffine(push, `${name}.norm`, `${alt}.norm`, c);
  pushConv(push, `${name}.proj_in`, `${alt}.proj_in`, c, c, 1);
  const tb = `${name}.transformer_blocks.0`;
  const ta = `${alt}.transformer_blocks.0`;
  for (const [attn, kv] of [['attn1', c], ['attn2', cross]] as const) {
    pushLinear(push, `${tb}.${attn}.to_q`, `${ta}.${attn}.to_q`, c, c, false);
    pushLinear(push, `${tb}.${attn}.to_k`, `${ta}.${attn}.to_k`, c, kv, false);
    pushLinear(push, `${tb}.${attn}.to_v`, `${ta}.${attn}.to_v`, c, kv, false);
    pushLinear(push, `${tb}.${attn}.to_out.0`, `${ta}.${attn}.to_out.0`, c, c);
  }
  for (const n of ['norm1', 'norm2', 'norm3']) pushAffine(push, `${tb}.${n}`, `${ta}.${n}`, c);
  pushLinear(push, `${tb}.ff.net.0.proj`, `${ta}.ff.net.0.proj`, 8 * c, c);
  pushLinear(push, `${tb}.ff.net.2`, `${ta}.ff.net.2`, c, 4 * c);
  pushConv(push, `${name}.proj_out`, `${alt}.proj_out`, c, c, 1);
}

/** The spatial U-Net's tensors (everything but the motion modules), `alt` = LDM name under `model.diffusion_model.`. */
export function unetKeys(cfg: UNetConfig): KeySpec[] {
  const { specs, push } = collector();
  const ch = cfg.blockOutChannels;
  const nb = ch.length;
  const L = cfg.layersPerBlock;
  const temb = timeEmbedDim(cfg);
  const c0 = channelsAt(ch, 0);
  pushConv(push, 'conv_in', 'input_blocks.0.0', c0, cfg.inChannels, 3);
  pushLinear(push, 'time_embedding.linear_1', 'time_embed.0', temb, c0);
  pushLinear(push, 'time_embedding.linear_2', 'time_embed.2', temb, temb);
  let cin = c0;
  for (let b = 0; b < nb; b++) {
    const c = channelsAt(ch, b);
    for (let l = 0; l < L; l++) {
      const ldm = `input_blocks.${1 + b * (L + 1) + l}`;
      unetResnet(push, `down_blocks.${b}.resnets.${l}`, `${ldm}.0`, l === 0 ? cin : c, c, temb);
      if (downBlockHasAttention(cfg, b)) {
        spatialTransformer(push, `down_blocks.${b}.attentions.${l}`, `${ldm}.1`, c, cfg.crossAttentionDim);
      }
    }
    if (b < nb - 1) {
      pushConv(push, `down_blocks.${b}.downsamplers.0.conv`, `input_blocks.${1 + b * (L + 1) + L}.0.op`, c, c, 3);
    }
    cin = c;
  }
  const cm = channelsAt(ch, nb - 1);
  unetResnet(push, 'mid_block.resnets.0', 'middle_block.0', cm, cm, temb);
  spatialTransformer(push, 'mid_block.attentions.0', 'middle_block.1', cm, cfg.crossAttentionDim);
  unetResnet(push, 'mid_block.resnets.1', 'middle_block.2', cm, cm, temb);
  const rev = [...ch].reverse();
  let prev = channelsAt(rev, 0);
  for (let b = 0; b < nb; b++) {
    const out = channelsAt(rev, b);
    const inp = channelsAt(rev, Math.min(b + 1, nb - 1));
    for (let l = 0; l <= L; l++) {
      const ldm = `output_blocks.${b * (L + 1) + l}`;
      const skip = l === L ? inp : out;
      const rin = l === 0 ? prev : out;
      unetResnet(push, `up_blocks.${b}.resnets.${l}`, `${ldm}.0`, rin + skip, out, temb);
      if (upBlockHasAttention(cfg, b)) {
        spatialTransformer(push, `up_blocks.${b}.attentions.${l}`, `${ldm}.1`, out, cfg.crossAttentionDim);
      }
    }
    if (b < nb - 1) {
      const slot = upBlockHasAttention(cfg, b) ? 2 : 1;
      pushConv(push, `up_blocks.${b}.upsamplers.0.conv`, `output_blocks.${b * (L + 1) + L}.${slot}.conv`, out, out, 3);
    }
    prev = out;
  }
  pushAffine(push, 'conv_norm_out', 'out.0', c0);
  pushConv(push, 'conv_out', 'out.2', cfg.latentChannels, c0, 3);
  return specs;
}

/** Which motion modules a file has beyond the down/up blocks every layout has. */
export interface MotionSiteOptions {
  /** AnimateDiff v2's module in the mid block (between its attention and second resnet). */
  readonly midBlock?: boolean;
}

/** The mid block's motion module path (AnimateDiff v2 only). */
export const MID_BLOCK_MOTION_MODULE = 'mid_block.motion_modules.0';

/** Where the motion modules sit: block path (`down_blocks.0`…) and channels, in U-Net order. */
export function motionModuleSites(cfg: UNetConfig, options: MotionSiteOptions = {}): { readonly path: string; readonly channels: number }[] {
  const ch = cfg.blockOutChannels;
  const sites: { path: string; channels: number }[] = [];
  for (let b = 0; b < ch.length; b++) {
    for (let l = 0; l < cfg.layersPerBlock; l++) sites.push({ path: `down_blocks.${b}.motion_modules.${l}`, channels: channelsAt(ch, b) });
  }
  if (options.midBlock) sites.push({ path: MID_BLOCK_MOTION_MODULE, channels: channelsAt(ch, ch.length - 1) });
  const rev = [...ch].reverse();
  for (let b = 0; b < rev.length; b++) {
    for (let l = 0; l <= cfg.layersPerBlock; l++) sites.push({ path: `up_blocks.${b}.motion_modules.${l}`, channels: channelsAt(rev, b) });
  }
  return sites;
}

/**
 * The motion modules' tensors: `name` in the diffusers MotionAdapter layout, `alt` in the original
 * AnimateDiff/PIA layout (`.temporal_transformer`, `attention_blocks.k`, `norms.k`, `ff_norm`).
 * The position-encoding buffers are not listed: they are recomputed (see {@link motionPeKeys}).
 */
export function motionKeys(cfg: UNetConfig, options: MotionSiteOptions = {}): KeySpec[] {
  const { specs, push } = collector();
  for (const { path, channels: c } of motionModuleSites(cfg, options)) {
    const alt = `${path}.temporal_transformer`;
    pushAffine(push, `${path}.norm`, `${alt}.norm`, c);
    pushLinear(push, `${path}.proj_in`, `${alt}.proj_in`, c, c);
    const tb = `${path}.transformer_blocks.0`;
    const ta = `${alt}.transformer_blocks.0`;
    for (const k of [0, 1]) {
      const a = `${tb}.attn${k + 1}`;
      const o = `${ta}.attention_blocks.${k}`;
      for (const p of ['to_q', 'to_k', 'to_v']) pushLinear(push, `${a}.${p}`, `${o}.${p}`, c, c, false);
      pushLinear(push, `${a}.to_out.0`, `${o}.to_out.0`, c, c);
      pushAffine(push, `${tb}.norm${k + 1}`, `${ta}.norms.${k}`, c);
    }
    pushLinear(push, `${tb}.ff.net.0.proj`, `${ta}.ff.net.0.proj`, 8 * c, c);
    pushLinear(push, `${tb}.ff.net.2`, `${ta}.ff.net.2`, c, 4 * c);
    pushAffine(push, `${tb}.norm3`, `${ta}.ff_norm`, c);
    pushLinear(push, `${path}.proj_out`, `${alt}.proj_out`, c, c);
  }
  return specs;
}

/**
 * The position-encoding buffers (`name` diffusers `pos_embed.pe`, `alt` original `pos_encoder.pe`), shape
 * `[1, maxFrames, C]` (`maxFrames` defaults to the config's: AnimateDiff v1 files hold 24 positions, later ones 32).
 */
export function motionPeKeys(cfg: UNetConfig, options: MotionSiteOptions & { readonly maxFrames?: number } = {}): KeySpec[] {
  const { specs, push } = collector();
  for (const { path, channels: c } of motionModuleSites(cfg, options)) {
    for (const k of [0, 1]) {
      push(
        `${path}.transformer_blocks.0.attn${k + 1}.pos_embed.pe`,
        [1, options.maxFrames ?? cfg.motionMaxFrames, c],
        `${path}.temporal_transformer.transformer_blocks.0.attention_blocks.${k}.pos_encoder.pe`,
      );
    }
  }
  return specs;
}

function vaeResnet(push: Push, name: string, alt: string, cin: number, c: number): void {
  pushAffine(push, `${name}.norm1`, `${alt}.norm1`, cin);
  pushConv(push, `${name}.conv1`, `${alt}.conv1`, c, cin, 3);
  pushAffine(push, `${name}.norm2`, `${alt}.norm2`, c);
  pushConv(push, `${name}.conv2`, `${alt}.conv2`, c, c, 3);
  if (cin !== c) pushConv(push, `${name}.conv_shortcut`, `${alt}.nin_shortcut`, c, cin, 1);
}

function vaeMid(push: Push, name: string, alt: string, c: number): void {
  vaeResnet(push, `${name}.resnets.0`, `${alt}.block_1`, c, c);
  pushAffine(push, `${name}.attentions.0.group_norm`, `${alt}.attn_1.norm`, c);
  for (const [d, l] of [['to_q', 'q'], ['to_k', 'k'], ['to_v', 'v'], ['to_out.0', 'proj_out']] as const) {
    push(`${name}.attentions.0.${d}.weight`, [c, c], `${alt}.attn_1.${l}.weight`, [c, c, 1, 1]);
    push(`${name}.attentions.0.${d}.bias`, [c], `${alt}.attn_1.${l}.bias`);
  }
  vaeResnet(push, `${name}.resnets.1`, `${alt}.block_2`, c, c);
}

/** The VAE's tensors, `alt` = LDM name under `first_stage_model.`. */
export function vaeKeys(cfg: VaeConfig): KeySpec[] {
  const { specs, push } = collector();
  const ch = cfg.blockOutChannels;
  const n = ch.length;
  const L = cfg.layersPerBlock;
  const z = cfg.latentChannels;
  const c0 = channelsAt(ch, 0);
  const cl = channelsAt(ch, n - 1);
  pushConv(push, 'encoder.conv_in', 'encoder.conv_in', c0, cfg.imageChannels, 3);
  let cin = c0;
  for (let i = 0; i < n; i++) {
    const c = channelsAt(ch, i);
    for (let j = 0; j < L; j++) {
      vaeResnet(push, `encoder.down_blocks.${i}.resnets.${j}`, `encoder.down.${i}.block.${j}`, j === 0 ? cin : c, c);
    }
    if (i < n - 1) pushConv(push, `encoder.down_blocks.${i}.downsamplers.0.conv`, `encoder.down.${i}.downsample.conv`, c, c, 3);
    cin = c;
  }
  vaeMid(push, 'encoder.mid_block', 'encoder.mid', cl);
  pushAffine(push, 'encoder.conv_norm_out', 'encoder.norm_out', cl);
  pushConv(push, 'encoder.conv_out', 'encoder.conv_out', 2 * z, cl, 3);
  pushConv(push, 'quant_conv', 'quant_conv', 2 * z, 2 * z, 1);
  pushConv(push, 'post_quant_conv', 'post_quant_conv', z, z, 1);
  pushConv(push, 'decoder.conv_in', 'decoder.conv_in', cl, z, 3);
  vaeMid(push, 'decoder.mid_block', 'decoder.mid', cl);
  let prev = cl;
  for (let i = 0; i < n; i++) {
    const c = channelsAt(ch, n - 1 - i);
    for (let j = 0; j <= L; j++) {
      vaeResnet(push, `decoder.up_blocks.${i}.resnets.${j}`, `decoder.up.${n - 1 - i}.block.${j}`, j === 0 ? prev : c, c);
    }
    if (i < n - 1) pushConv(push, `decoder.up_blocks.${i}.upsamplers.0.conv`, `decoder.up.${n - 1 - i}.upsample.conv`, c, c, 3);
    prev = c;
  }
  pushAffine(push, 'decoder.conv_norm_out', 'decoder.norm_out', c0);
  pushConv(push, 'decoder.conv_out', 'decoder.conv_out', cfg.imageChannels, c0, 3);
  return specs;
}

/** The CLIP text tower's tensors (Hugging Face `CLIPTextModel` names), `alt` = LDM name under `cond_stage_model.transformer.`. */
export function clipKeys(cfg: ClipConfig): KeySpec[] {
  const { specs, push } = collector();
  const w = cfg.width;
  push('text_model.embeddings.token_embedding.weight', [cfg.vocabSize, w], 'text_model.embeddings.token_embedding.weight');
  push('text_model.embeddings.position_embedding.weight', [cfg.maxPositions, w], 'text_model.embeddings.position_embedding.weight');
  for (let i = 0; i < cfg.layers; i++) {
    const p = `text_model.encoder.layers.${i}`;
    for (const q of ['q_proj', 'k_proj', 'v_proj', 'out_proj']) pushLinear(push, `${p}.self_attn.${q}`, `${p}.self_attn.${q}`, w, w);
    pushAffine(push, `${p}.layer_norm1`, `${p}.layer_norm1`, w);
    pushLinear(push, `${p}.mlp.fc1`, `${p}.mlp.fc1`, cfg.intermediateSize, w);
    pushLinear(push, `${p}.mlp.fc2`, `${p}.mlp.fc2`, w, cfg.intermediateSize);
    pushAffine(push, `${p}.layer_norm2`, `${p}.layer_norm2`, w);
  }
  pushAffine(push, 'text_model.final_layer_norm', 'text_model.final_layer_norm', w);
  return specs;
}

/** Number of elements of a shape. */
export function numel(shape: readonly number[]): number {
  return shapeElements(shape);
}

/** Total parameters of a key list. */
export function countParams(specs: readonly KeySpec[]): number {
  return specs.reduce((sum, s) => sum + numel(s.shape), 0);
}
