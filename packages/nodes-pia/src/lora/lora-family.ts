/**
 * Recognising LoRAs made for another model family before matching names: SDXL's and SD 2.x's U-Nets share many of
 * SD 1.5's LDM module names (`input_blocks_4_1_…`), so names alone would match and only the shapes would then
 * disagree. Evidence, in order: a second text encoder, SDXL-only modules (`label_emb`, more than one transformer
 * block per attention), and the widths that cross-attention and the text encoder read.
 */
import type { GroupedLoraKeys } from './lora-format.js';

/** A family other than SD 1.5 and what gave it away. */
export interface ForeignFamily {
  readonly family: string;
  readonly evidence: string;
}

/** Shape of a stored tensor by key. */
export type ShapeOf = (key: string) => readonly number[];

const CROSS_ATTN_KV = /attn2([._]processor)?[._]to_[kv]$/;
const CLIP_Q = /(lora_te1?_|text_encoder\.).*self_attn[._]q_proj$/;

function byWidth(width: number | undefined, what: string): string | undefined {
  if (what === 'cross') return width === 2048 ? 'SDXL (2048-dim cross-attention)' : width === 1024 ? 'Stable Diffusion 2.x (1024-dim cross-attention)' : undefined;
  return width === 1280 ? 'SDXL (1280-wide text encoder)' : width === 1024 ? 'Stable Diffusion 2.x (1024-wide OpenCLIP text encoder)' : undefined;
}

/** The other family a LoRA's keys and shapes betray, or `undefined` when they fit SD 1.5. */
export function foreignFamily(grouped: GroupedLoraKeys, shapeOf: ShapeOf): ForeignFamily | undefined {
  for (const [module, keys] of grouped.modules) {
    const first = Object.values(keys.roles)[0] ?? keys.unsupported[0] ?? module;
    if (module.startsWith('lora_te2_') || module.startsWith('text_encoder_2.')) {
      return { family: 'SDXL', evidence: `it patches a second text encoder: '${first}'` };
    }
    if (/(^|[._])(label_emb|add_embedding)([._]|$)/.test(module)) return { family: 'SDXL', evidence: `it has '${first}'` };
    if (/transformer_blocks[._][1-9]/.test(module)) {
      return { family: 'SDXL', evidence: `it has more than one transformer block per attention layer: '${first}'` };
    }
  }
  for (const [module, keys] of grouped.modules) {
    const down = keys.roles.down ?? keys.roles.hada_w1_b;
    if (down === undefined) continue;
    const shape = shapeOf(down);
    const width = shape.length === 2 || (shape.length === 4 && shape[2] === 1) ? shape[1] : undefined;
    const family = CROSS_ATTN_KV.test(module) ? byWidth(width, 'cross') : CLIP_Q.test(module) ? byWidth(width, 'clip') : undefined;
    if (family) return { family, evidence: `'${down}' is ${JSON.stringify(shape)}` };
  }
  return undefined;
}
