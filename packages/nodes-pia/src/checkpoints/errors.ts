import { PiaError } from '../errors.js';

/** What is wrong with a checkpoint, so callers can branch without parsing messages. */
export type CheckpointErrorCode =
  | 'missing-tensor'
  | 'extra-tensor'
  | 'shape-mismatch'
  | 'wrong-family'
  | 'unknown-config'
  | 'not-found'
  | 'not-motion-module'
  | 'unsupported-motion-module';

/** Structured details of a {@link CheckpointError}. */
export interface CheckpointErrorDetails {
  /** The tensor key as stored in the file. */
  readonly key?: string;
  readonly expectedShape?: readonly number[];
  readonly actualShape?: readonly number[];
  /** The model family recognised, for `wrong-family`. */
  readonly family?: string;
  /** How many tensors share the problem (the message names the first). */
  readonly count?: number;
}

/** A checkpoint that cannot serve the configured PIA model. The message names the file, the key and the expected shape. */
export class CheckpointError extends PiaError<CheckpointErrorCode, CheckpointErrorDetails> {
  override readonly name = 'CheckpointError';

  constructor(
    code: CheckpointErrorCode,
    readonly file: string,
    message: string,
    details: CheckpointErrorDetails = {},
  ) {
    super(code, `${file}: ${message}`, details);
  }
}

/** `[a, b, c]` for messages. */
export function shapeText(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}
