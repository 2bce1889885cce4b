/** CLIP Text Encode: a prompt → CONDITIONING `[1, 77, C]` (ComfyUI's `CLIPTextEncode` inputs and name). */
import { defineNode } from '@piagraph/graph-core';
import { encodeText } from '../pipeline/text.js';
import type { PackContext } from './pack-context.js';

/** The `CLIPTextEncode` node. */
export function clipTextEncodeNode(pack: PackContext) {
  return defineNode({
    classType: 'CLIPTextEncode',
    displayName: 'CLIP Text Encode',
    category: 'conditioning',
    description: "Encodes a prompt with the checkpoint's CLIP text encoder (77 tokens, longer prompts are cut).",
    inputs: {
      required: {
        text: { type: 'STRING', multiline: true, default: '', tooltip: 'The prompt (or negative prompt).' },
        clip: { type: 'CLIP' },
      },
    },
    outputs: [{ type: 'CONDITIONING' }],
    async run({ text, clip }, ctx) {
      const { tokenizer, encoder } = await pack.store.clip(clip);
      const embedding = await encodeText(tokenizer, encoder, text);
      if (embedding.truncated) ctx.text('prompt longer than 77 tokens: the rest is ignored');
      return { outputs: [{ data: embedding.data, dims: embedding.dims, text }], sizeBytes: embedding.data.byteLength };
    },
  });
}
