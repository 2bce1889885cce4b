import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPiaPack, type PiaPack } from '../../src/pack.js';
import { ensureDemoImage } from '../../src/pipeline/demo-assets.js';

let root: string;
let pack: PiaPack | undefined;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'piagraph-demo-image-'));
});
afterEach(async () => {
  await pack?.release();
  pack = undefined;
  await rm(root, { recursive: true, force: true });
});

function create(demo?: boolean): PiaPack {
  const dir = (name: string) => join(root, name);
  pack = createPiaPack({
    modelsDir: dir('models'),
    inputDir: dir('input'),
    outputDir: dir('output'),
    tempDir: dir('temp'),
    ...(demo === undefined ? {} : { demo }),
  });
  return pack;
}

describe('the demo picture', () => {
  it('is written into input/ when the pack is created, before any graph runs', async () => {
    await create().ready;
    // 96×64: the size the demo-assets module documents for its lighthouse picture.
    const meta = await sharp(join(root, 'input', 'piagraph-demo.png')).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 96, 64]);
    expect(readdirSync(join(root, 'input'))).toEqual(['piagraph-demo.png']);
  });

  it('leaves the demo models to first use', async () => {
    await create().ready;
    expect(existsSync(join(root, 'models'))).toBe(false);
  });

  it('is not written when the pack is created with the demo off', async () => {
    await create(false).ready;
    expect(existsSync(join(root, 'input'))).toBe(false);
  });

  it('is written again on first use when it was deleted after creation', async () => {
    const p = create();
    await p.ready;
    await rm(join(root, 'input', 'piagraph-demo.png'));
    await p.context.prepareImage('piagraph-demo.png');
    expect(existsSync(join(root, 'input', 'piagraph-demo.png'))).toBe(true);
  });

  it('survives two writers racing for it and leaves no temporary file', async () => {
    const input = join(root, 'input');
    await Promise.all([ensureDemoImage(input), ensureDemoImage(input), ensureDemoImage(input)]);
    expect(readdirSync(input)).toEqual(['piagraph-demo.png']);
  });
});
