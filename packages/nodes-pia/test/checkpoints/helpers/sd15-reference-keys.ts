/**
 * The full SD 1.5 key lists written independently of `src/checkpoints/`: the LDM list follows the structure of
 * `ldm/modules/diffusionmodules/openaimodel.py` and `model.py` (channel_mult, input_block_chans stack), the
 * diffusers list follows `UNet2DConditionModel`/`AutoencoderKL`'s constructors. Maps of full key → shape.
 */
type Shapes = Map<string, number[]>;

function add(m: Shapes, key: string, shape: number[]): void {
  if (m.has(key)) throw new Error(`duplicate reference key ${key}`);
  m.set(key, shape);
}
function gn(m: Shapes, p: string, c: number): void {
  add(m, `${p}.weight`, [c]);
  add(m, `${p}.bias`, [c]);
}
function conv(m: Shapes, p: string, o: number, i: number, k: number): void {
  add(m, `${p}.weight`, [o, i, k, k]);
  add(m, `${p}.bias`, [o]);
}
function lin(m: Shapes, p: string, o: number, i: number, bias = true): void {
  add(m, `${p}.weight`, [o, i]);
  if (bias) add(m, `${p}.bias`, [o]);
}
function transformerInner(m: Shapes, p: string, c: number, ctx: number): void {
  const t = `${p}.transformer_blocks.0`;
  for (const [a, kv] of [['attn1', c], ['attn2', ctx]] as const) {
    lin(m, `${t}.${a}.to_q`, c, c, false);
    lin(m, `${t}.${a}.to_k`, c, kv, false);
    lin(m, `${t}.${a}.to_v`, c, kv, false);
    lin(m, `${t}.${a}.to_out.0`, c, c);
  }
  lin(m, `${t}.ff.net.0.proj`, 8 * c, c);
  lin(m, `${t}.ff.net.2`, c, 4 * c);
  for (const n of ['norm1', 'norm2', 'norm3']) gn(m, `${t}.${n}`, c);
  gn(m, `${p}.norm`, c);
  conv(m, `${p}.proj_in`, c, c, 1);
  conv(m, `${p}.proj_out`, c, c, 1);
}

/** LDM `model.diffusion_model.*` of SD 1.5 with a conv_in of `inChannels`. */
export function ldmUnet(inChannels = 9): Shapes {
  const m: Shapes = new Map();
  const P = 'model.diffusion_model.';
  const mc = 320;
  const mult = [1, 2, 4, 4];
  const attnDs = new Set([4, 2, 1]);
  const ted = 4 * mc;
  lin(m, `${P}time_embed.0`, ted, mc);
  lin(m, `${P}time_embed.2`, ted, ted);
  conv(m, `${P}input_blocks.0.0`, mc, inChannels, 3);
  const res = (p: string, ch: number, out: number) => {
    gn(m, `${p}.in_layers.0`, ch);
    conv(m, `${p}.in_layers.2`, out, ch, 3);
    lin(m, `${p}.emb_layers.1`, out, ted);
    gn(m, `${p}.out_layers.0`, out);
    conv(m, `${p}.out_layers.3`, out, out, 3);
    if (out !== ch) conv(m, `${p}.skip_connection`, out, ch, 1);
  };
  const chans = [mc];
  let ch = mc;
  let ds = 1;
  let idx = 1;
  mult.forEach((mu, level) => {
    for (let r = 0; r < 2; r++) {
      res(`${P}input_blocks.${idx}.0`, ch, mu * mc);
      ch = mu * mc;
      if (attnDs.has(ds)) transformerInner(m, `${P}input_blocks.${idx}.1`, ch, 768);
      chans.push(ch);
      idx++;
    }
    if (level !== mult.length - 1) {
      conv(m, `${P}input_blocks.${idx}.0.op`, ch, ch, 3);
      chans.push(ch);
      ds *= 2;
      idx++;
    }
  });
  res(`${P}middle_block.0`, ch, ch);
  transformerInner(m, `${P}middle_block.1`, ch, 768);
  res(`${P}middle_block.2`, ch, ch);
  let out = 0;
  [...mult.entries()].reverse().forEach(([level, mu]) => {
    for (let i = 0; i < 3; i++) {
      const ich = chans.pop()!;
      let slot = 0;
      res(`${P}output_blocks.${out}.${slot++}`, ch + ich, mc * mu);
      ch = mc * mu;
      if (attnDs.has(ds)) transformerInner(m, `${P}output_blocks.${out}.${slot++}`, ch, 768);
      if (level && i === 2) {
        conv(m, `${P}output_blocks.${out}.${slot}.conv`, ch, ch, 3);
        ds /= 2;
      }
      out++;
    }
  });
  gn(m, `${P}out.0`, mc);
  conv(m, `${P}out.2`, 4, mc, 3);
  return m;
}

/** LDM `first_stage_model.*` of SD 1.5. */
export function ldmVae(): Shapes {
  const m: Shapes = new Map();
  const P = 'first_stage_model.';
  const ch = 128;
  const mult = [1, 2, 4, 4];
  const res = (p: string, i: number, o: number) => {
    gn(m, `${p}.norm1`, i);
    conv(m, `${p}.conv1`, o, i, 3);
    gn(m, `${p}.norm2`, o);
    conv(m, `${p}.conv2`, o, o, 3);
    if (i !== o) conv(m, `${p}.nin_shortcut`, o, i, 1);
  };
  const mid = (p: string, c: number) => {
    res(`${p}.block_1`, c, c);
    gn(m, `${p}.attn_1.norm`, c);
    for (const q of ['q', 'k', 'v', 'proj_out']) conv(m, `${p}.attn_1.${q}`, c, c, 1);
    res(`${p}.block_2`, c, c);
  };
  conv(m, `${P}encoder.conv_in`, ch, 3, 3);
  const inMult = [1, ...mult];
  let blockIn = ch;
  mult.forEach((mu, level) => {
    blockIn = ch * inMult[level]!;
    const blockOut = ch * mu;
    for (let b = 0; b < 2; b++) {
      res(`${P}encoder.down.${level}.block.${b}`, blockIn, blockOut);
      blockIn = blockOut;
    }
    if (level !== mult.length - 1) conv(m, `${P}encoder.down.${level}.downsample.conv`, blockIn, blockIn, 3);
  });
  mid(`${P}encoder.mid`, blockIn);
  gn(m, `${P}encoder.norm_out`, blockIn);
  conv(m, `${P}encoder.conv_out`, 8, blockIn, 3);
  conv(m, `${P}quant_conv`, 8, 8, 1);
  conv(m, `${P}post_quant_conv`, 4, 4, 1);
  blockIn = ch * mult[mult.length - 1]!;
  conv(m, `${P}decoder.conv_in`, blockIn, 4, 3);
  mid(`${P}decoder.mid`, blockIn);
  for (let level = mult.length - 1; level >= 0; level--) {
    const blockOut = ch * mult[level]!;
    for (let b = 0; b < 3; b++) {
      res(`${P}decoder.up.${level}.block.${b}`, blockIn, blockOut);
      blockIn = blockOut;
    }
    if (level !== 0) conv(m, `${P}decoder.up.${level}.upsample.conv`, blockIn, blockIn, 3);
  }
  gn(m, `${P}decoder.norm_out`, blockIn);
  conv(m, `${P}decoder.conv_out`, 3, blockIn, 3);
  return m;
}

/** CLIP ViT-L/14 text tower keys under `prefix`. */
export function clipTower(prefix: string): Shapes {
  const m: Shapes = new Map();
  const t = `${prefix}text_model.`;
  add(m, `${t}embeddings.token_embedding.weight`, [49408, 768]);
  add(m, `${t}embeddings.position_embedding.weight`, [77, 768]);
  for (let l = 0; l < 12; l++) {
    const p = `${t}encoder.layers.${l}`;
    for (const q of ['k_proj', 'v_proj', 'q_proj', 'out_proj']) lin(m, `${p}.self_attn.${q}`, 768, 768);
    gn(m, `${p}.layer_norm1`, 768);
    gn(m, `${p}.layer_norm2`, 768);
    lin(m, `${p}.mlp.fc1`, 3072, 768);
    lin(m, `${p}.mlp.fc2`, 768, 3072);
  }
  gn(m, `${t}final_layer_norm`, 768);
  return m;
}

/** diffusers `UNet2DConditionModel` keys of SD 1.5 with a conv_in of `inChannels`. */
export function diffusersUnet(inChannels = 9): Shapes {
  const m: Shapes = new Map();
  const boc = [320, 640, 1280, 1280];
  const ted = 1280;
  const res = (p: string, i: number, o: number) => {
    gn(m, `${p}.norm1`, i);
    conv(m, `${p}.conv1`, o, i, 3);
    lin(m, `${p}.time_emb_proj`, o, ted);
    gn(m, `${p}.norm2`, o);
    conv(m, `${p}.conv2`, o, o, 3);
    if (i !== o) conv(m, `${p}.conv_shortcut`, o, i, 1);
  };
  conv(m, 'conv_in', 320, inChannels, 3);
  lin(m, 'time_embedding.linear_1', ted, 320);
  lin(m, 'time_embedding.linear_2', ted, ted);
  let output = boc[0]!;
  boc.forEach((c, i) => {
    const input = output;
    output = c;
    const isFinal = i === boc.length - 1;
    for (let j = 0; j < 2; j++) {
      res(`down_blocks.${i}.resnets.${j}`, j === 0 ? input : output, output);
      if (!isFinal) transformerInner(m, `down_blocks.${i}.attentions.${j}`, output, 768);
    }
    if (!isFinal) conv(m, `down_blocks.${i}.downsamplers.0.conv`, output, output, 3);
  });
  res('mid_block.resnets.0', 1280, 1280);
  transformerInner(m, 'mid_block.attentions.0', 1280, 768);
  res('mid_block.resnets.1', 1280, 1280);
  const rev = [...boc].reverse();
  output = rev[0]!;
  rev.forEach((c, i) => {
    const prev = output;
    output = c;
    const input = rev[Math.min(i + 1, rev.length - 1)]!;
    for (let j = 0; j < 3; j++) {
      const skip = j === 2 ? input : output;
      res(`up_blocks.${i}.resnets.${j}`, (j === 0 ? prev : output) + skip, output);
      if (i > 0) transformerInner(m, `up_blocks.${i}.attentions.${j}`, output, 768);
    }
    if (i !== rev.length - 1) conv(m, `up_blocks.${i}.upsamplers.0.conv`, output, output, 3);
  });
  gn(m, 'conv_norm_out', 320);
  conv(m, 'conv_out', 4, 320, 3);
  return m;
}

/** The original PIA motion-module keys (pia-model.md §3.6), without the position-encoding buffers. */
export function originalMotion(): Shapes {
  const m: Shapes = new Map();
  const sites: [string, number][] = [];
  [320, 640, 1280, 1280].forEach((c, b) => [0, 1].forEach((l) => sites.push([`down_blocks.${b}.motion_modules.${l}`, c])));
  [1280, 1280, 640, 320].forEach((c, b) => [0, 1, 2].forEach((l) => sites.push([`up_blocks.${b}.motion_modules.${l}`, c])));
  for (const [s, c] of sites) {
    const p = `${s}.temporal_transformer`;
    gn(m, `${p}.norm`, c);
    lin(m, `${p}.proj_in`, c, c);
    lin(m, `${p}.proj_out`, c, c);
    const t = `${p}.transformer_blocks.0`;
    for (const k of [0, 1]) {
      for (const q of ['to_q', 'to_k', 'to_v']) lin(m, `${t}.attention_blocks.${k}.${q}`, c, c, false);
      lin(m, `${t}.attention_blocks.${k}.to_out.0`, c, c);
      gn(m, `${t}.norms.${k}`, c);
    }
    lin(m, `${t}.ff.net.0.proj`, 8 * c, c);
    lin(m, `${t}.ff.net.2`, c, 4 * c);
    gn(m, `${t}.ff_norm`, c);
  }
  return m;
}

/** Total elements of a shape map. */
export function total(m: Shapes): number {
  let n = 0;
  for (const s of m.values()) n += s.reduce((a, b) => a * b, 1);
  return n;
}
