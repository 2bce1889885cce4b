/** Prompt → CLIP hidden states (pia-model.md §1.2 step 1, §5): 77 ids padded with EOS, last hidden state after the final LayerNorm. */
import type { ClipHandle } from '../models/index.js';
import type { ClipTokenizer } from '../tokenizer/index.js';

/** One prompt's embedding `[1, L, D]` and whether the prompt was cut at 77 tokens. */
export interface TextEmbedding {
  readonly data: Float32Array;
  readonly dims: readonly [1, number, number];
  readonly truncated: boolean;
}

/** Tokenizes and encodes one prompt. */
export async function encodeText(tokenizer: ClipTokenizer, encoder: ClipHandle, text: string): Promise<TextEmbedding> {
  const encoding = tokenizer.encodeForTextEncoder(text);
  const hidden = await encoder.encode({ data: encoding.inputIds, dims: [1, encoding.inputIds.length] });
  const [, length, width] = hidden.dims as [number, number, number];
  return { data: hidden.data, dims: [1, length, width], truncated: encoding.truncated };
}
