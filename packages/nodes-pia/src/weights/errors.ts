import { PiaError } from '../errors.js';

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
export class WeightFileError extends PiaError<WeightErrorCode, Record<string, unknown> | undefined> {
  override readonly name: string = 'WeightFileError';
  readonly file: string;
  readonly tensor: string | undefined;

  constructor(code: WeightErrorCode, file: string, message: string, options: WeightFileErrorOptions = {}) {
    const where = options.tensor === undefined ? file : `${file}: tensor "${options.tensor}"`;
    super(code, `${where}: ${message}`, options.details, options.cause === undefined ? undefined : { cause: options.cause });
    this.file = file;
    this.tensor = options.tensor;
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
