import { mkdir, open, readdir, realpath, rm } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { VideoWriteError } from './errors.js';

/** Where a filename prefix points inside the output folder. */
export interface OutputPrefix {
  /** Absolute folder the files go into. */
  folder: string;
  /** Folder relative to the output folder, `/`-separated, `''` at its root (ComfyUI's `subfolder`). */
  subfolder: string;
  /** File name part of the prefix. */
  base: string;
}

/** A file name claimed in the output folder. */
export interface ReservedOutput {
  path: string;
  filename: string;
  subfolder: string;
  counter: number;
}

/** The longest filename prefix, in UTF-8 bytes (folders included). */
export const MAX_PREFIX_BYTES = 1024;
/**
 * The longest file-name part of a prefix, in UTF-8 bytes: `{base}_{counter:05}_.{ext}` must stay under the file
 * systems' 255, with room for a counter past 99 999 and a long extension.
 */
export const MAX_PREFIX_BASE_BYTES = 200;

/**
 * What is wrong with a filename prefix on its own (before any folder is looked at), or undefined when nothing is:
 * too long, a control character, an absolute path, or no file name after its folder part. Node validation uses it
 * to refuse a prompt before it is queued.
 */
export function outputPrefixProblem(prefix: string): string | undefined {
  const bytes = Buffer.byteLength(prefix);
  if (bytes > MAX_PREFIX_BYTES) return `Filename prefix is ${bytes} bytes long; at most ${MAX_PREFIX_BYTES} are allowed`;
  const shown = JSON.stringify(prefix);
  if (/[\u0000-\u001f\u007f]/.test(prefix)) return `Filename prefix ${shown} contains a control character (such as a line break)`;
  const normalised = prefix.replace(/\\/g, '/');
  const base = normalised.slice(normalised.lastIndexOf('/') + 1);
  if (base === '' || base === '.' || base === '..') return `Filename prefix ${shown} has no file name after its folder part`;
  const baseBytes = Buffer.byteLength(base);
  if (baseBytes > MAX_PREFIX_BASE_BYTES) {
    return `The file name part of the filename prefix is ${baseBytes} bytes long; at most ${MAX_PREFIX_BASE_BYTES} are allowed`;
  }
  return undefined;
}

/**
 * Splits a ComfyUI-style filename prefix (`AnimateDiff`, `videos/pia/run`) into folder and base name, refusing any
 * prefix that would leave `outputDir` (`../x`, an absolute path), has no file name part, or that
 * {@link outputPrefixProblem} refuses. This is the lexical check; {@link reserveOutputFiles} also follows the links.
 */
export function resolveOutputPrefix(outputDir: string, prefix: string): OutputPrefix {
  const normalised = prefix.replace(/\\/g, '/');
  const slash = normalised.lastIndexOf('/');
  const base = normalised.slice(slash + 1);
  const root = resolve(outputDir);
  const folder = resolve(root, normalised.slice(0, slash + 1));
  if (isAbsolute(normalised) || !isInside(root, folder)) {
    throw new VideoWriteError('output-path', `Filename prefix "${prefix}" would save outside the output folder "${root}"`);
  }
  const problem = outputPrefixProblem(prefix);
  if (problem) throw new VideoWriteError('output-path', problem);
  return { folder, subfolder: relative(root, folder).split(/[\\/]/).filter(Boolean).join('/'), base };
}

/** True when `child` is `root` or below it (both absolute). */
function isInside(root: string, child: string): boolean {
  const rel = relative(root, child);
  return rel === '' || (!isAbsolute(rel) && rel.split(/[\\/]/)[0] !== '..');
}

/**
 * The real path `path` would have: the real path of its deepest existing ancestor (symbolic links followed) with
 * the missing rest appended, so a folder can be checked before `mkdir` creates anything under a link.
 */
async function realpathToBe(path: string): Promise<string> {
  const missing: string[] = [];
  let current = path;
  for (;;) {
    try {
      return join(await realpath(current), ...missing.reverse());
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw error;
    }
    const parent = dirname(current);
    if (parent === current) return path;
    missing.push(basename(current));
    current = parent;
  }
}

/**
 * Creates the prefix's folder and proves it, and later each file, really lies inside the output folder: a symbolic
 * link already in `output/` (`output/videos -> /elsewhere`) must not carry a save out of it, as `/view` would refuse
 * to serve it.
 */
async function prepareFolder(outputDir: string, prefix: string, folder: string): Promise<string> {
  await mkdir(outputDir, { recursive: true });
  const root = await realpath(outputDir);
  const outside = () =>
    new VideoWriteError('output-path', `Filename prefix "${prefix}" would save outside the output folder "${root}" through a symbolic link`);
  if (!isInside(root, await realpathToBe(folder))) throw outside();
  try {
    await mkdir(folder, { recursive: true });
  } catch (error) {
    throw new VideoWriteError('output-path', `Cannot create the folder of filename prefix "${prefix}"`, String((error as Error).message));
  }
  // Again once it exists: a link may have been put in its way meanwhile.
  if (!isInside(root, await realpath(folder))) throw outside();
  return root;
}

/**
 * The next free counter for `base` in `folder`: one more than the largest `N` among files named `{base}_{N}_…`
 * or `{base}_{N}.…`, or 1 when there are none (ComfyUI's `get_save_image_path` rule). Plain string matching: a
 * regular expression built from the prefix could be too large to compile.
 */
export async function nextCounter(folder: string, base: string): Promise<number> {
  let names: string[];
  try {
    names = await readdir(folder);
  } catch {
    return 1;
  }
  const head = `${base}_`;
  let max = 0;
  for (const name of names) {
    if (!name.startsWith(head)) continue;
    let end = head.length;
    while (end < name.length && name.charCodeAt(end) >= 48 && name.charCodeAt(end) <= 57) end++;
    if (end === head.length) continue;
    const next = name[end];
    if (next !== undefined && next !== '_' && next !== '.') continue;
    max = Math.max(max, Number(name.slice(head.length, end)));
  }
  return max + 1;
}

/** `{base}_{counter:05}_.{extension}`, ComfyUI's output file name. */
export function outputFilename(base: string, counter: number, extension: string): string {
  return `${base}_${String(counter).padStart(5, '0')}_.${extension}`;
}

/**
 * Claims `count` new files for `prefix` with consecutive counters from {@link nextCounter}. Each is created empty
 * and exclusively (`wx`), so two saves running at once never get the same name: on a clash the counter moves on.
 */
export async function reserveOutputFiles(outputDir: string, prefix: string, extension: string, count = 1): Promise<ReservedOutput[]> {
  const { folder, subfolder, base } = resolveOutputPrefix(outputDir, prefix);
  const root = await prepareFolder(outputDir, prefix, folder);
  let counter = await nextCounter(folder, base);
  const reserved: ReservedOutput[] = [];
  while (reserved.length < count) {
    const filename = outputFilename(base, counter, extension);
    const path = join(folder, filename);
    try {
      await (await open(path, 'wx')).close();
      reserved.push({ path, filename, subfolder, counter });
      // The final path, resolved: `wx` never follows a link at the name itself, this catches one above it.
      if (!isInside(root, await realpath(path))) {
        await Promise.all(reserved.map((r) => rm(r.path, { force: true })));
        throw new VideoWriteError('output-path', `Output file "${path}" would lie outside the output folder "${root}"`);
      }
    } catch (error) {
      if (error instanceof VideoWriteError) throw error;
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        await Promise.all(reserved.map((r) => rm(r.path, { force: true })));
        throw new VideoWriteError('output-path', `Cannot create output file "${path}"`, String((error as Error).message));
      }
    }
    counter++;
  }
  return reserved;
}
