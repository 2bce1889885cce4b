/**
 * A checkpoint opened before a bad PIA file must be closed when the PIA file is refused: observed on the process's
 * real file descriptors (/proc/self/fd), not on a mock, right after the failure (no garbage collection involved).
 */
import { readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeLdmCheckpoint } from '../../src/demo/generate.js';
import { loadPiaModels } from '../../src/models/load.js';
import { tiny } from '../../src/models/config.js';
import { tempDir } from '../weights/helpers.js';
import { writeHandZip } from '../weights/zip-by-hand.js';

const dir = tempDir();

/** The files this process holds open (Linux). */
function openFiles(): string[] {
  const fds = '/proc/self/fd';
  return readdirSync(fds).flatMap((fd) => {
    try {
      return [readlinkSync(join(fds, fd))];
    } catch {
      return [];
    }
  });
}

describe('file handles when the PIA file is bad', () => {
  const checkpoint = join(dir, 'sd15.safetensors');

  const badPiaFiles: [string, () => string][] = [
    ['is not a weight file', () => {
      const path = join(dir, 'garbage.ckpt');
      writeFileSync(path, 'this is not a checkpoint at all');
      return path;
    }],
    ['is a zip without a pickle', () => {
      const path = join(dir, 'no-pickle.ckpt');
      writeHandZip(path, [{ name: 'archive/other', data: 'x' }]);
      return path;
    }],
    ['is missing', () => join(dir, 'missing.ckpt')],
  ];

  for (const [what, make] of badPiaFiles) {
    it(`closes the checkpoint when the PIA file ${what}`, { timeout: 60_000 }, async () => {
      await writeLdmCheckpoint(checkpoint, tiny);
      const pia = make();
      const before = openFiles().filter((f) => f === checkpoint).length;
      const error = await loadPiaModels({ checkpoint, pia, cacheDir: join(dir, 'cache'), config: tiny }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toContain(pia);
      expect(openFiles().filter((f) => f === checkpoint).length).toBe(before);
    });
  }
});
