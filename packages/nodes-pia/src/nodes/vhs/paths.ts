/**
 * Paths typed into VHS's `*Path` nodes. A prompt may come from anyone who can reach the server, so a path must lie in
 * the data folders (input, output, temp); a relative path is taken inside `input/`. URLs are refused (no downloads).
 */
import { isAbsolute, relative, resolve } from 'node:path';
import { PipelineError } from '../../pipeline/errors.js';
import type { PackContext } from '../pack-context.js';

/** VHS's `strip_path`: surrounding whitespace and quotes (pasted "copy as path" text) removed. */
export function stripPath(text: string): string {
  let p = text.trim();
  if (p.length >= 2 && ((p.startsWith('"') && p.endsWith('"')) || (p.startsWith("'") && p.endsWith("'")))) p = p.slice(1, -1);
  return p;
}

/** The absolute path `text` names, refused (naming `input`) when it is a URL or outside the data folders. */
export function dataPath(pack: PackContext, text: string, input: string): string {
  const p = stripPath(text);
  if (p === '') throw new PipelineError('bad-option', `${input} is empty`, {}, input);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(p)) throw new PipelineError('unsupported', `${input}: "${p}" is a URL; piagraph loads files from its data folders only`, {}, input);
  const { inputDir, outputDir, tempDir } = pack.settings;
  const full = isAbsolute(p) ? resolve(p) : resolve(inputDir, p);
  const inside = [inputDir, outputDir, tempDir].some((root) => {
    const rel = relative(resolve(root), full);
    return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
  });
  if (!inside) throw new PipelineError('bad-option', `${input}: "${p}" is outside the input, output and temp folders`, { path: full }, input);
  return full;
}
