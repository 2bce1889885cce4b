/** What went wrong with a weight file, so callers can branch without parsing messages. */
export type WeightErrorCode =
  | 'not-found'
  | 'io'
  | 'corrupt'
  | 'truncated'
  | 'unsupported'
  | 'unsafe'
  | 'missing-tensor'
  | 'invalid-input'
  | 'closed';

/** Options of a {@link WeightFileError}: the tensor concerned, structured details and the underlying cause. */
export interface WeightFileErrorOptions {
  tensor?: string;
  details?: Record<string, unknown>;
  cause?: unknown;
}

/**
 * A weight file could not be read or written. The message always starts with the file, then the tensor
 * when one is concerned, so a log line alone says where to look.
 */
export class WeightFileError extends Error {
  override readonly name: string = 'WeightFileError';
  readonly code: WeightErrorCode;
  readonly file: string;
  readonly tensor: string | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: WeightErrorCode, file: string, message: string, options: WeightFileErrorOptions = {}) {
    const where = options.tensor === undefined ? file : `${file}: tensor "${options.tensor}"`;
    super(`${where}: ${message}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.file = file;
    this.tensor = options.tensor;
    this.details = options.details;
  }
}

/** A pickle asked for a Python global outside the allow-list; nothing was called. */
export class UnsafePickleError extends WeightFileError {
  override readonly name: string = 'UnsafePickleError';
  /** The refused global as `module.name`, e.g. `os.system`. */
  readonly global: string;

  constructor(file: string, global: string, position: number) {
    super(
      'unsafe',
      file,
      `pickle refers to the global "${global}" (at byte ${position}), which is not on the allow-list of ` +
        'tensor-rebuilding globals; the checkpoint was refused and nothing in it was run ' +
        '(convert it to .safetensors if you trust it)',
      { details: { global, position } },
    );
    this.global = global;
  }
}
