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
export class TokenizerError extends Error {
  override readonly name = 'TokenizerError';

  constructor(
    readonly code: TokenizerErrorCode,
    message: string,
    readonly path?: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(path === undefined ? message : `${path}: ${message}`);
  }
}
