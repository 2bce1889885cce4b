import { PiaError } from '../errors.js';

/** What went wrong in the PIA pipeline, so a node (and a test) can branch on a code instead of a message. */
export type PipelineErrorCode =
  | 'model-not-found'
  | 'tokenizer-not-found'
  | 'model-incomplete'
  | 'frame-mismatch'
  | 'frame-limit'
  | 'shape-mismatch'
  | 'bad-option'
  | 'interrupted'
  | 'unsupported';

/** A typed failure of a pipeline helper; `input` names the node input it comes from when there is one. */
export class PipelineError extends PiaError<PipelineErrorCode, Readonly<Record<string, unknown>>> {
  override readonly name = 'PipelineError';

  constructor(
    code: PipelineErrorCode,
    message: string,
    details: Readonly<Record<string, unknown>> = {},
    readonly input?: string,
  ) {
    super(code, message, details);
  }
}
