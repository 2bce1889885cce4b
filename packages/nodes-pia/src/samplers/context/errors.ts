import { PiaError } from '../../errors.js';

/** What was wrong with context options, view options or context extras; `input` names the node input to change. */
export class ContextError extends PiaError<'bad-option' | 'unsupported'> {
  override readonly name = 'ContextError';

  constructor(
    code: 'bad-option' | 'unsupported',
    message: string,
    details: Record<string, unknown> = {},
    readonly input?: string,
  ) {
    super(code, message, details);
  }
}
