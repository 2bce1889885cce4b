/** Saves must stay inside the output folder even through symbolic links already in it, and odd prefixes fail cleanly. */
import { mkdir, mkdtemp, readdir, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nextCounter, reserveOutputFiles, resolveOutputPrefix, saveVideo, VideoWriteError } from '../../src/video/index.js';

let base: string;
let out: string;
let outside: string;
beforeEach(async () => {
  base = await realpath(await mkdtemp(join(tmpdir(), 'piagraph-links-')));
  out = join(base, 'output');
  outside = join(base, 'outside');
  await mkdir(out);
  await mkdir(outside);
  await symlink(outside, join(out, 'escape'));
});
afterEach(async () => {
  await rm(base, { recursive: true, force: true });
});

const twoFrames = { width: 2, height: 2, frames: [new Uint8Array(12).fill(200), new Uint8Array(12).fill(20)] };

describe('saving through symbolic links', () => {
  it('refuses a prefix whose folder is a link out of the output folder, writing nothing there', async () => {
    await expect(reserveOutputFiles(out, 'escape/clip', 'gif')).rejects.toThrow(
      new VideoWriteError('output-path', `Filename prefix "escape/clip" would save outside the output folder "${out}" through a symbolic link`),
    );
    expect(await readdir(outside)).toEqual([]);
  });

  it('creates no folder out there either, for a deeper prefix below the link', async () => {
    await expect(reserveOutputFiles(out, 'escape/new/deeper/clip', 'gif')).rejects.toThrow('through a symbolic link');
    expect(await readdir(outside)).toEqual([]);
  });

  it('refuses the link when Save Video writes a GIF and a PNG sequence', async () => {
    await expect(saveVideo(twoFrames, { outputDir: out, filenamePrefix: 'escape/clip', format: 'image/gif', frameRate: 8 })).rejects.toThrow(VideoWriteError);
    await expect(saveVideo(twoFrames, { outputDir: out, filenamePrefix: 'escape/seq', format: 'image/png-sequence', frameRate: 8 })).rejects.toThrow('through a symbolic link');
    expect(await readdir(outside)).toEqual([]);
  });

  it('follows a link that stays inside the output folder', async () => {
    await mkdir(join(out, 'real'));
    await symlink(join(out, 'real'), join(out, 'alias'));
    const saved = await saveVideo(twoFrames, { outputDir: out, filenamePrefix: 'alias/clip', format: 'image/gif', frameRate: 8 });
    expect(saved.filename).toBe('clip_00001_.gif');
    expect(await readdir(join(out, 'real'))).toEqual(['clip_00001_.gif']);
  });

  it('does not follow a link named like the file it would create', async () => {
    await symlink(join(outside, 'target.gif'), join(out, 'clip_00001_.gif'));
    const [file] = await reserveOutputFiles(out, 'clip', 'gif');
    expect(file!.filename).toBe('clip_00002_.gif');
    expect(await readdir(outside)).toEqual([]);
  });
});

describe('prefixes that cannot be file names', () => {
  it('refuses a 100,000-character prefix with its length, not a regular expression error', async () => {
    const long = 'a'.repeat(100_000);
    expect(() => resolveOutputPrefix(out, long)).toThrow('Filename prefix is 100000 bytes long; at most 1024 are allowed');
    expect(() => resolveOutputPrefix(out, `x/${'b'.repeat(201)}`)).toThrow('file name part of the filename prefix is 201 bytes long');
    expect(await nextCounter(out, long)).toBe(1);
  });

  it('refuses control characters', () => {
    expect(() => resolveOutputPrefix(out, 'clip\r\nX')).toThrow('contains a control character');
  });

  it('still counts files whose prefix has regular-expression characters', async () => {
    for (const name of ['a.b(c)+_00004_.gif', 'a.b(c)+_00009.png', 'aXb(c)+_00050_.gif', 'a.b(c)+_x_.gif']) await writeFile(join(out, name), '');
    expect(await nextCounter(out, 'a.b(c)+')).toBe(10);
  });
});
