import { PiaError } from '../errors.js';

/** What went wrong while building, writing or running an ONNX graph. */
export type OnnxErrorCode =
  | 'unknown-dtype'
  | 'bad-shape'
  | 'data-length'
  | 'duplicate-name'
  | 'foreign-value'
  | 'not-produced'
  | 'bad-argument'
  | 'model-too-large'
  | 'weights-read'
  | 'session-create'
  | 'session-run'
  | 'cuda-unavailable'
  | 'webgpu-unavailable'
  | 'unknown-device';

/**
 * An error raised by the ONNX builder or the session helper. `code` is stable for programs,
 * `message` names the tensor, input, node or file that was wrong, `details` carries the facts.
 */
export class OnnxError extends PiaError<OnnxErrorCode, Readonly<Record<string, unknown>>> {
  override readonly name = 'OnnxError';

  constructor(code: OnnxErrorCode, message: string, details: Record<string, unknown> = {}, options?: ErrorOptions) {
    super(code, message, details, options);
  }
}

/** onnxruntime refused a model or failed to run it; `modelPath` names the model file. */
export class OnnxSessionError extends OnnxError {
  readonly modelPath: string;

  constructor(
    code: 'session-create' | 'session-run',
    modelPath: string,
    message: string,
    details: Record<string, unknown> = {},
    cause?: unknown,
  ) {
    super(code, message, { ...details, modelPath }, { cause });
    this.modelPath = modelPath;
  }
}
