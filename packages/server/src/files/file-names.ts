import { BadRequestError } from '../errors.js';

/**
 * The longest name a stored file may have, in UTF-8 bytes. File systems stop at 255; the rest leaves room for the
 * " (123)" a clashing upload gets.
 */
export const MAX_FILE_NAME_BYTES = 240;
/** The longest subfolder path, in UTF-8 bytes (Linux's PATH_MAX is 4096; the data root comes first). */
export const MAX_SUBFOLDER_BYTES = 1024;

/** C0 control characters and DEL: CR/LF would break headers and logs, and no real file name needs them. */
const CONTROL = /[\u0000-\u001f\u007f]/;

/** What is wrong with a name given for a file or subfolder, by character class, for the error message. */
export function controlCharacterProblem(value: string): string | undefined {
  const m = CONTROL.exec(value);
  if (!m) return undefined;
  const code = m[0].charCodeAt(0);
  const label = code === 0 ? 'a NUL byte' : code === 10 ? 'a line feed (LF)' : code === 13 ? 'a carriage return (CR)' : `the control character U+${code.toString(16).padStart(4, '0').toUpperCase()}`;
  return `contains ${label}`;
}

/**
 * Checks the name of a file about to be created: one plain name, not empty, not `.` or `..`, no separator, no control
 * character, at most `MAX_FILE_NAME_BYTES`. Throws a 400 naming the problem.
 */
export function checkNewFileName(name: string, what = 'file name'): void {
  const shown = JSON.stringify(name.length > 80 ? `${name.slice(0, 80)}…` : name);
  if (name.length === 0) throw new BadRequestError('invalid_filename', `The ${what} is empty`);
  if (name === '.' || name === '..') throw new BadRequestError('invalid_filename', `The ${what} ${shown} is not a file name`);
  if (/[\\/]/.test(name)) {
    throw new BadRequestError('invalid_filename', `The ${what} ${shown} must not contain a path separator; use "subfolder"`);
  }
  const control = controlCharacterProblem(name);
  if (control) throw new BadRequestError('invalid_filename', `The ${what} ${shown} ${control}`);
  const bytes = Buffer.byteLength(name);
  if (bytes > MAX_FILE_NAME_BYTES) {
    throw new BadRequestError('invalid_filename', `The ${what} is ${bytes} bytes long; at most ${MAX_FILE_NAME_BYTES} are allowed`);
  }
}

/** Checks a subfolder to create files in: no control character, and not absurdly long (`..` is `resolveInside`'s). */
export function checkSubfolder(subfolder: string): void {
  const control = controlCharacterProblem(subfolder);
  if (control) throw new BadRequestError('invalid_subfolder', `The subfolder ${JSON.stringify(subfolder.slice(0, 80))} ${control}`);
  const bytes = Buffer.byteLength(subfolder);
  if (bytes > MAX_SUBFOLDER_BYTES) {
    throw new BadRequestError('invalid_subfolder', `The subfolder is ${bytes} bytes long; at most ${MAX_SUBFOLDER_BYTES} are allowed`);
  }
  for (const segment of subfolder.split(/[\\/]/)) {
    if (Buffer.byteLength(segment) > 255) throw new BadRequestError('invalid_subfolder', 'A folder name in the subfolder is over 255 bytes long');
  }
}
