/**
 * Errors the server turns into HTTP responses. Every one carries a machine-readable `type` (ComfyUI's vocabulary
 * where ComfyUI has a word for it) and a message that names what was wrong, and is sent as a JSON body
 * `{ error: { type, message, details, extra_info } }` so that clients which call `res.json()` on any status keep working.
 */
export class HttpError extends Error {
  override readonly name: string = 'HttpError';

  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    readonly details = '',
    readonly extraInfo: Record<string, unknown> = {},
  ) {
    super(message);
  }

  /** The JSON body of the response. */
  toBody(): Record<string, unknown> {
    return { error: { type: this.type, message: this.message, details: this.details, extra_info: this.extraInfo } };
  }
}

/** 400: the request is malformed (bad JSON, a missing or mistyped field). */
export class BadRequestError extends HttpError {
  override readonly name = 'BadRequestError';
  constructor(type: string, message: string, details = '', extraInfo: Record<string, unknown> = {}) {
    super(400, type, message, details, extraInfo);
  }
}

/** 401: a token is required and was missing or wrong. */
export class UnauthorizedError extends HttpError {
  override readonly name = 'UnauthorizedError';
  constructor(message: string) {
    super(401, 'unauthorized', message);
  }
}

/** 403: the request is understood and refused (cross-origin request to a loopback server, path outside the data root). */
export class ForbiddenError extends HttpError {
  override readonly name = 'ForbiddenError';
  constructor(type: string, message: string, details = '') {
    super(403, type, message, details);
  }
}

/** 404: no such route, file, job or graph. */
export class NotFoundError extends HttpError {
  override readonly name = 'NotFoundError';
  constructor(message: string, details = '') {
    super(404, 'not_found', message, details);
  }
}

/** 405: the path exists but not with this method. */
export class MethodNotAllowedError extends HttpError {
  override readonly name = 'MethodNotAllowedError';
  constructor(method: string, path: string, readonly allowed: string[]) {
    super(405, 'method_not_allowed', `${method} is not allowed on ${path}; allowed: ${allowed.join(', ')}`);
  }
}

/** 409: a save based on a stale revision, or an operation that conflicts with the job's state. */
export class ConflictError extends HttpError {
  override readonly name = 'ConflictError';
  constructor(type: string, message: string, extraInfo: Record<string, unknown> = {}) {
    super(409, type, message, '', extraInfo);
  }
}

/** 413: a body or upload over the configured limit. */
export class PayloadTooLargeError extends HttpError {
  override readonly name = 'PayloadTooLargeError';
  constructor(message: string, limitBytes: number) {
    super(413, 'payload_too_large', message, '', { limit_bytes: limitBytes });
  }
}

/** 415: the request needs another content type (uploads must be multipart/form-data). */
export class UnsupportedMediaTypeError extends HttpError {
  override readonly name = 'UnsupportedMediaTypeError';
  constructor(message: string) {
    super(415, 'unsupported_media_type', message);
  }
}

/** 428: an update of an existing record must say which revision it was based on. */
export class PreconditionRequiredError extends HttpError {
  override readonly name = 'PreconditionRequiredError';
  constructor(message: string, extraInfo: Record<string, unknown> = {}) {
    super(428, 'revision_required', message, '', extraInfo);
  }
}

/** Wraps anything thrown that is not an `HttpError` as a 500 whose message names the cause. */
export function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new HttpError(500, 'internal_error', `Internal server error: ${message}`);
}
