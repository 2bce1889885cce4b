import { mkdir, open, readdir } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
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

/**
 * Splits a ComfyUI-style filename prefix (`AnimateDiff`, `videos/pia/run`) into folder and base name, refusing any
 * prefix that would leave `outputDir` (`../x`, an absolute path) or that has no file name part.
 */
export function resolveOutputPrefix(outputDir: string, prefix: string): OutputPrefix {
  const normalised = prefix.replace(/\\/g, '/');
  const slash = normalised.lastIndexOf('/');
  const base = normalised.slice(slash + 1);
  const root = resolve(outputDir);
  const folder = resolve(root, normalised.slice(0, slash + 1));
  const inside = relative(root, folder);
  if (isAbsolute(normalised) || inside.startsWith('..') || isAbsolute(inside)) {
    throw new VideoWriteError('output-path', `Filename prefix "${prefix}" would save outside the output folder "${root}"`);
  }
  if (base === '' || base === '.' || base === '..' || normalised.includes('\0')) {
    throw new VideoWriteError('output-path', `Filename prefix "${prefix}" has no file name after its folder part`);
  }
  return { folder, subfolder: inside.split(/[\\/]/).filter(Boolean).join('/'), base };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The next free counter for `base` in `folder`: one more than the largest `N` among files named `{base}_{N}_…`
 * or `{base}_{N}.…`, or 1 when there are none (ComfyUI's `get_save_image_path` rule).
 */
export async function nextCounter(folder: string, base: string): Promise<number> {
  let names: string[];
  try {
    names = await readdir(folder);
  } catch {
    return 1;
  }
  const pattern = new RegExp(`^${escapeRegExp(base)}_(\\d+)(?:[_.]|$)`);
  let max = 0;
  for (const name of names) {
    const match = pattern.exec(name);
    if (match) max = Math.max(max, Number(match[1]));
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
  await mkdir(folder, { recursive: true });
  let counter = await nextCounter(folder, base);
  const reserved: ReservedOutput[] = [];
  while (reserved.length < count) {
    const filename = outputFilename(base, counter, extension);
    const path = join(folder, filename);
    try {
      await (await open(path, 'wx')).close();
      reserved.push({ path, filename, subfolder, counter });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new VideoWriteError('output-path', `Cannot create output file "${path}"`, String((error as Error).message));
      }
    }
    counter++;
  }
  return reserved;
}
