/**
 * What every typed error of this package carries: a stable `code` for programs, a message for people and the
 * facts behind it in `details`. Each area derives its own class with its name, its codes and any extra fields.
 */
export abstract class PiaError<Code extends string, Details = Record<string, unknown>> extends Error {
  constructor(
    readonly code: Code,
    message: string,
    readonly details: Details,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
