import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nextCounter, reserveOutputFiles, resolveOutputPrefix, VideoWriteError } from '../../src/video/index.js';

let out: string;
beforeEach(async () => {
  out = await mkdtemp(join(tmpdir(), 'piagraph-out-'));
});
afterEach(async () => {
  await rm(out, { recursive: true, force: true });
});

describe('resolveOutputPrefix', () => {
  it('splits a prefix with subfolders into folder, subfolder and base name', () => {
    expect(resolveOutputPrefix(out, 'videos/pia/run')).toEqual({ folder: join(out, 'videos', 'pia'), subfolder: 'videos/pia', base: 'run' });
  });

  it('accepts backslashes as folder separators', () => {
    expect(resolveOutputPrefix(out, 'a\\b').subfolder).toBe('a');
  });

  it('refuses a prefix that climbs out of the output folder', () => {
    expect(() => resolveOutputPrefix(out, '../escape/run')).toThrow(
      new VideoWriteError('output-path', `Filename prefix "../escape/run" would save outside the output folder "${out}"`),
    );
  });

  it('refuses a prefix that climbs out after going in', () => {
    expect(() => resolveOutputPrefix(out, 'a/../../run')).toThrow('would save outside the output folder');
  });

  it('refuses an absolute prefix', () => {
    expect(() => resolveOutputPrefix(out, '/etc/run')).toThrow(`Filename prefix "/etc/run" would save outside the output folder "${out}"`);
  });

  it('refuses a prefix that ends in a slash', () => {
    expect(() => resolveOutputPrefix(out, 'videos/')).toThrow('Filename prefix "videos/" has no file name after its folder part');
  });
});

describe('nextCounter', () => {
  it('starts at 1 in an empty or missing folder', async () => {
    expect(await nextCounter(out, 'AnimateDiff')).toBe(1);
    expect(await nextCounter(join(out, 'missing'), 'AnimateDiff')).toBe(1);
  });

  it('follows the largest counter of files with the same prefix only', async () => {
    for (const name of ['AnimateDiff_00003_.gif', 'AnimateDiff_00007.mp4', 'AnimateDiff_00012_00001.png', 'AnimateDiffX_00099_.gif', 'other_00050_.gif']) {
      await writeFile(join(out, name), '');
    }
    expect(await nextCounter(out, 'AnimateDiff')).toBe(13);
  });
});

describe('reserveOutputFiles', () => {
  it('creates the subfolder and names the file {prefix}_{counter:05}_.{ext}', async () => {
    const [file] = await reserveOutputFiles(out, 'clips/cat', 'mp4');
    expect(file).toEqual({ path: join(out, 'clips', 'cat_00001_.mp4'), filename: 'cat_00001_.mp4', subfolder: 'clips', counter: 1 });
  });

  it('gives concurrent reservations distinct names', async () => {
    await mkdir(join(out, 'x'));
    const all = await Promise.all(Array.from({ length: 6 }, () => reserveOutputFiles(out, 'x/run', 'gif')));
    const names = all.map(([r]) => r!.filename);
    expect(new Set(names).size).toBe(6);
    expect((await readdir(join(out, 'x'))).sort()).toEqual([...names].sort());
  });

  it('reserves consecutive counters for a sequence', async () => {
    const files = await reserveOutputFiles(out, 'seq', 'png', 3);
    expect(files.map((f) => f.filename)).toEqual(['seq_00001_.png', 'seq_00002_.png', 'seq_00003_.png']);
  });
});
