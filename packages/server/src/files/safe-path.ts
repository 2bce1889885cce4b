import { realpathSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { BadRequestError, ForbiddenError } from '../errors.js';
import { controlCharacterProblem } from './file-names.js';

/**
 * Joins `subfolder` and `filename` under `root` and proves the result stays inside it. Rejected: absolute paths,
 * `..` segments, control characters (NUL, CR, LF…), and (through `realpath`) symlinks that point out of the root.
 * Percent-encoded traversal is decoded by the URL parser before it gets here, so `%2e%2e%2f` arrives as `../` and is
 * caught the same way.
 *
 * With `mustExist` the real path of the file itself is checked; otherwise (an upload target) the real path of the
 * deepest existing ancestor is, and the rest of the path is plain names.
 */
export function resolveInside(root: string, subfolder: string, filename: string, mustExist: boolean): string {
  for (const [what, part] of [
    ['subfolder', subfolder],
    ['filename', filename],
  ] as const) {
    // CR/LF and the like: no stored file should have them, and a name sent back in a header must not carry them.
    const control = controlCharacterProblem(part);
    if (control) throw new BadRequestError('invalid_path', `The ${what} ${control}`);
    if (isAbsolute(part) || /^[a-zA-Z]:[\\/]/.test(part) || part.startsWith('\\')) {
      throw new ForbiddenError('path_outside_root', `The ${what} "${part}" is an absolute path; give a relative one`);
    }
    if (part.split(/[\\/]/).includes('..')) {
      throw new ForbiddenError('path_outside_root', `The ${what} "${part}" contains "..", which is not allowed`);
    }
  }
  if (filename.length === 0) throw new BadRequestError('invalid_path', 'The filename is empty');
  const candidate = resolve(root, subfolder, filename);
  if (!isWithin(root, candidate)) {
    throw new ForbiddenError('path_outside_root', `The path "${join(subfolder, filename)}" is outside the data folder`);
  }
  const real = mustExist ? realpathOrUndefined(candidate) : realpathOfExistingAncestor(candidate);
  if (real !== undefined && !isWithin(root, real)) {
    throw new ForbiddenError(
      'path_outside_root',
      `The path "${join(subfolder, filename)}" leads outside the data folder through a symbolic link`,
    );
  }
  return mustExist && real !== undefined ? real : candidate;
}

/** True when `child` is `root` or below it (both absolute). */
export function isWithin(root: string, child: string): boolean {
  const rel = relative(root, child);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel) && rel.split(sep)[0] !== '..');
}

function realpathOrUndefined(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

function realpathOfExistingAncestor(path: string): string | undefined {
  let current = path;
  const rest: string[] = [];
  for (;;) {
    const real = realpathOrUndefined(current);
    if (real !== undefined) return rest.length > 0 ? join(real, ...rest.reverse()) : real;
    const parent = resolve(current, '..');
    if (parent === current) return undefined;
    rest.push(current.slice(parent.length + (parent.endsWith(sep) ? 0 : 1)));
    current = parent;
  }
}
