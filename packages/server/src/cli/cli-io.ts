/** Where the CLI writes; tests pass buffers, the binary passes `process.stdout` and `process.stderr`. */
export interface CliIo {
  stdout: { write(text: string): unknown; isTTY?: boolean; columns?: number };
  stderr: { write(text: string): unknown };
}

/** A usage problem: bad flags or arguments. The CLI prints the message and the command's usage, exit code 2. */
export class CliUsageError extends Error {
  override readonly name = 'CliUsageError';
}

/** `--listen` may stand alone (ComfyUI: all interfaces); parseArgs needs a value, so one is filled in. */
export function expandBareListen(argv: readonly string[]): string[] {
  const out: string[] = [];
  argv.forEach((arg, i) => {
    out.push(arg);
    const next = argv[i + 1];
    if (arg === '--listen' && (next === undefined || next.startsWith('--'))) out.push('0.0.0.0');
  });
  return out;
}

/** Parses a whole positive number flag, naming the flag when it is not one. */
export function parseNumberFlag(name: string, value: string | undefined, options: { min?: number; integer?: boolean } = {}): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  const min = options.min ?? 0;
  if (value.trim() === '' || !Number.isFinite(n) || n < min || (options.integer && !Number.isInteger(n))) {
    throw new CliUsageError(`--${name} must be ${options.integer ? 'an integer' : 'a number'} ≥ ${min}, got "${value}"`);
  }
  return n;
}
