import { PiaError } from '../errors.js';

/** What is wrong with a LoRA file or its use, so callers can branch without parsing messages. */
export type LoraErrorCode =
  /** The file is for another model family (SDXL, SD 2.x). */
  | 'wrong-family'
  /** None of the file's keys names a layer of the model. */
  | 'no-match'
  /** A factor's shape does not fit the layer it targets. */
  | 'shape-mismatch'
  /** A LoRA variant or tensor kind this engine does not merge (DoRA, LoKr…). */
  | 'unsupported'
  /** A key set that is not a complete LoRA layer (an up without its down…). */
  | 'incomplete'
  /** Two modules of one file patch the same layer (e.g. under both the LDM and the diffusers name). */
  | 'duplicate-layer'
  /** A bad argument (strength not finite, a model file without the initializer…). */
  | 'bad-input';

/** Structured details of a {@link LoraError}. */
export interface LoraErrorDetails {
  /** The first offending keys, as stored in the file. */
  readonly keys?: readonly string[];
  /** How many keys share the problem (the message names the first few). */
  readonly count?: number;
  /** The family recognised, for `wrong-family`. */
  readonly family?: string;
}

/** A LoRA that cannot be applied. The message starts with the file and names the first offending keys. */
export class LoraError extends PiaError<LoraErrorCode, LoraErrorDetails> {
  override readonly name = 'LoraError';

  constructor(
    code: LoraErrorCode,
    readonly file: string,
    message: string,
    details: LoraErrorDetails = {},
  ) {
    super(code, `${file}: ${message}`, details);
  }
}

/** The first few of `keys` for a message: `'a', 'b', 'c' (and 7 more)`. */
export function firstKeys(keys: readonly string[], shown = 3): string {
  const head = keys.slice(0, shown).map((k) => `'${k}'`).join(', ');
  return keys.length > shown ? `${head} (and ${keys.length - shown} more)` : head;
}
