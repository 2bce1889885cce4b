import { PiaError } from '../errors.js';

/** What was wrong with tokenizer files or settings. */
export type TokenizerErrorCode =
  | 'file_not_found'
  | 'unreadable_file'
  | 'invalid_vocab'
  | 'invalid_merges'
  | 'invalid_tokenizer_json'
  | 'missing_special_token'
  | 'invalid_option';

/** A missing, unreadable or malformed tokenizer file, or a bad tokenizer option; `path` names the file. */
export class TokenizerError extends PiaError<TokenizerErrorCode> {
  override readonly name = 'TokenizerError';

  constructor(
    code: TokenizerErrorCode,
    message: string,
    readonly path?: string,
    details: Record<string, unknown> = {},
  ) {
    super(code, path === undefined ? message : `${path}: ${message}`, details);
  }
}
