import { mkdirSync, mkdtempSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BadRequestError, ForbiddenError } from '../../src/errors.js';
import { resolveInside } from '../../src/files/safe-path.js';

let base: string;
let root: string;

beforeAll(() => {
  base = realpathSync(mkdtempSync(join(tmpdir(), 'piagraph-safe-path-')));
  root = join(base, 'output');
  mkdirSync(join(root, 'sub'), { recursive: true });
  writeFileSync(join(root, 'sub', 'a.png'), 'x');
  writeFileSync(join(base, 'secret.txt'), 'secret');
  symlinkSync(join(base, 'secret.txt'), join(root, 'leak.txt'));
  symlinkSync(base, join(root, 'escape-dir'));
});

describe('resolveInside', () => {
  it('resolves a file in a subfolder', () => {
    expect(resolveInside(root, 'sub', 'a.png', true)).toBe(join(root, 'sub', 'a.png'));
  });

  it('refuses ".." in the filename', () => {
    expect(() => resolveInside(root, '', '../secret.txt', true)).toThrow(ForbiddenError);
    expect(() => resolveInside(root, '', '../secret.txt', true)).toThrow('contains ".."');
  });

  it('refuses ".." in the subfolder', () => {
    expect(() => resolveInside(root, 'sub/../..', 'secret.txt', true)).toThrow('The subfolder "sub/../.." contains ".."');
  });

  it('refuses an absolute filename', () => {
    expect(() => resolveInside(root, '', '/etc/passwd', true)).toThrow('is an absolute path');
  });

  it('refuses a Windows-style absolute path', () => {
    expect(() => resolveInside(root, 'C:\\Windows', 'x', true)).toThrow('is an absolute path');
  });

  it('refuses a backslash traversal', () => {
    expect(() => resolveInside(root, '', '..\\secret.txt', true)).toThrow(ForbiddenError);
  });

  it('refuses a NUL byte', () => {
    expect(() => resolveInside(root, '', 'a.png\0.txt', true)).toThrow(BadRequestError);
  });

  it('refuses a symlinked file that points outside the root', () => {
    expect(() => resolveInside(root, '', 'leak.txt', true)).toThrow('through a symbolic link');
  });

  it('refuses a write target below a symlinked folder that points outside', () => {
    expect(() => resolveInside(root, 'escape-dir', 'new.png', false)).toThrow('through a symbolic link');
  });

  it('accepts a write target in a folder that does not exist yet', () => {
    expect(resolveInside(root, 'new/deeper', 'b.png', false)).toBe(join(root, 'new', 'deeper', 'b.png'));
  });

  it('refuses an empty filename', () => {
    expect(() => resolveInside(root, 'sub', '', true)).toThrow('The filename is empty');
  });
});
