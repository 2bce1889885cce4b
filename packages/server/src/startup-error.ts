/**
 * A reason the server or the CLI cannot start that the user can act on (a data folder in use, a busy port, a damaged
 * database). The CLI prints its message alone: a stack trace would only bury what to do.
 */
export class StartupError extends Error {
  override readonly name: string = 'StartupError';
}
