import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import sharp, { type Sharp } from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageLoadError, loadImage, loadImageRgb, probeImage, type LoadedImage } from '../../src/image/index.js';

const RED = { r: 255, g: 0, b: 0 };
const BLUE = { r: 0, g: 0, b: 255 };

let dir: string;
const file = (name: string): string => join(dir, name);

/** A `width`×`height` RGB image whose left half is `left` and right half `right`. */
async function halves(width: number, height: number, left = RED, right = BLUE): Promise<Sharp> {
  const raw = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const c = x < width / 2 ? left : right;
      raw.set([c.r, c.g, c.b], (y * width + x) * 3);
    }
  }
  return sharp(raw, { raw: { width, height, channels: 3 } });
}

/** The signed-range value of byte `v`: v / 255 * 2 - 1. */
const signed = (v: number): number => (v / 255) * 2 - 1;

/** Pixel (x, y) of a loaded `[1, 3, H, W]` tensor as [r, g, b]. */
function pixel(image: LoadedImage, x: number, y: number): number[] {
  const plane = image.width * image.height;
  return [0, 1, 2].map((c) => image.data[c * plane + y * image.width + x]!);
}

function expectPixel(image: LoadedImage, x: number, y: number, rgb: number[], digits = 5): void {
  pixel(image, x, y).forEach((v, c) => expect(v, `pixel (${x}, ${y}) channel ${c}`).toBeCloseTo(signed(rgb[c]!), digits));
}

async function caught(promise: Promise<unknown>): Promise<ImageLoadError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ImageLoadError) return error;
    throw error;
  }
  throw new Error('expected an ImageLoadError');
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'piagraph-image-'));
  const solid = sharp({ create: { width: 40, height: 30, channels: 3, background: { r: 10, g: 200, b: 30 } } });
  await solid.clone().png().toFile(file('solid.png'));
  await solid.clone().webp({ lossless: true }).toFile(file('solid.webp'));
  await solid.clone().tiff().toFile(file('solid.tiff'));
  await (await halves(64, 32)).png().toFile(file('halves.png'));
  await (await halves(32, 16)).jpeg({ quality: 100 }).withMetadata({ orientation: 6 }).toFile(file('rotated.jpg'));
  const frames = Buffer.concat([Buffer.alloc(16 * 16 * 3, Buffer.from([255, 0, 0])), Buffer.alloc(16 * 16 * 3, Buffer.from([0, 0, 255]))]);
  await sharp(frames, { raw: { width: 16, height: 32, channels: 3, pageHeight: 16 } }).gif().toFile(file('two-frames.gif'));
  await sharp({ create: { width: 8, height: 8, channels: 4, background: { r: 10, g: 20, b: 30, alpha: 0 } } }).png().toFile(file('clear.png'));
  await sharp({ create: { width: 8, height: 8, channels: 4, background: { r: 200, g: 100, b: 0, alpha: 128 / 255 } } })
    .png()
    .toFile(file('half-clear.png'));
  await sharp({ create: { width: 8, height: 8, channels: 3, background: '#808080' } }).toColourspace('grey16').png().toFile(file('grey16.png'));
  await sharp({ create: { width: 5, height: 5, channels: 3, background: '#000000' } }).png().toFile(file('tiny.png'));
  const png = await readFile(file('solid.png'));
  await writeFile(file('truncated.png'), png.subarray(0, Math.floor(png.length * 0.6)));
  const zeroWidth = Buffer.from(png);
  zeroWidth.writeUInt32BE(0, 16);
  zeroWidth.writeUInt32BE(crc32(zeroWidth.subarray(12, 29)), 29);
  await writeFile(file('zero-width.png'), zeroWidth);
  await writeFile(file('empty.png'), '');
  await writeFile(file('notes.png'), 'these are notes, not pixels\n');
  await mkdir(file('folder.png'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('loadImage', () => {
  it('loads a solid PNG to exact [-1, 1] values at PIA size', async () => {
    const image = await loadImage(file('solid.png'));
    // 40×30 is under 512, so only the height floors to a multiple of 8: 40×24.
    expect(image.dims).toEqual([1, 3, 24, 40]);
    for (const [x, y] of [[0, 0], [39, 23], [17, 11]] as const) expectPixel(image, x, y, [10, 200, 30], 6);
  });

  it('gives [0, 1] values in the unit range', async () => {
    const image = await loadImage(file('solid.png'), { range: 'unit' });
    expect([...pixel(image, 3, 3)].map((v) => Number(v.toFixed(6)))).toEqual([0.039216, 0.784314, 0.117647]);
  });

  it('decodes lossless WebP and TIFF to the same pixels as PNG', async () => {
    for (const name of ['solid.webp', 'solid.tiff']) expectPixel(await loadImage(file(name)), 5, 5, [10, 200, 30], 6);
  });

  it('keeps the two colours of a half-red, half-blue image away from the seam when scaling down', async () => {
    const image = await loadImage(file('halves.png'), { resize: { mode: 'pia', maxSize: 16 } });
    expect(image.dims).toEqual([1, 3, 8, 16]);
    for (const x of [0, 4]) expectPixel(image, x, 4, [255, 0, 0]);
    for (const x of [11, 15]) expectPixel(image, x, 4, [0, 0, 255]);
  });

  it('centre-crops to an exact size in cover mode', async () => {
    // 64×32 covers 16×16 at 32×16, then columns 8–23 of that are kept: red then blue, seam in the middle.
    const image = await loadImage(file('halves.png'), { resize: { mode: 'cover', width: 16, height: 16 } });
    expect(image.dims).toEqual([1, 3, 16, 16]);
    expectPixel(image, 1, 8, [255, 0, 0]);
    expectPixel(image, 14, 8, [0, 0, 255]);
  });

  it('squashes to an exact size in stretch mode', async () => {
    const image = await loadImage(file('halves.png'), { resize: { mode: 'stretch', width: 8, height: 8 } });
    expect(image.dims).toEqual([1, 3, 8, 8]);
    expectPixel(image, 0, 0, [255, 0, 0]);
    expectPixel(image, 7, 7, [0, 0, 255]);
  });

  it('applies EXIF orientation 6, turning the left half into the top half', async () => {
    const image = await loadImage(file('rotated.jpg'), { resize: { mode: 'original' } });
    expect([image.width, image.height]).toEqual([16, 32]);
    pixel(image, 8, 4).forEach((v, c) => expect(Math.abs(v - signed([255, 0, 0][c]!))).toBeLessThan(0.05));
    pixel(image, 8, 28).forEach((v, c) => expect(Math.abs(v - signed([0, 0, 255][c]!))).toBeLessThan(0.05));
  });

  it('takes the first frame of an animated GIF', async () => {
    const image = await loadImage(file('two-frames.gif'), { resize: { mode: 'original' } });
    expect(image.dims).toEqual([1, 3, 16, 16]);
    expectPixel(image, 8, 8, [255, 0, 0], 6);
  });

  it('drops alpha by default, keeping the colour under a transparent pixel', async () => {
    expectPixel(await loadImage(file('clear.png')), 2, 2, [10, 20, 30], 6);
  });

  it('flattens alpha onto white when asked', async () => {
    expectPixel(await loadImage(file('clear.png'), { alpha: 'flatten' }), 2, 2, [255, 255, 255], 6);
  });

  it('composites half-transparent pixels onto the background in flatten mode', async () => {
    // c·a + 255·(1 − a) with a = 128/255: (200, 100, 0) → (227.4, 177.2, 127.0).
    const { rgb } = await loadImageRgb(file('half-clear.png'), { alpha: 'flatten' });
    [227.4, 177.2, 127.0].forEach((v, c) => expect(Math.abs(rgb[c]! - v)).toBeLessThanOrEqual(1));
  });

  it('expands 16-bit greyscale to 8-bit RGB', async () => {
    const { rgb } = await loadImageRgb(file('grey16.png'));
    expect([...rgb.subarray(0, 3)]).toEqual([128, 128, 128]);
  });

  it('loads from a buffer', async () => {
    const image = await loadImage(await readFile(file('solid.png')), { resize: { mode: 'original' } });
    expect(image.dims).toEqual([1, 3, 30, 40]);
  });
});

describe('loadImage on bad input', () => {
  it('names a missing file', async () => {
    const error = await caught(loadImage(file('absent.png')));
    expect([error.code, error.message]).toEqual(['not-found', `Image file not found: "${file('absent.png')}"`]);
  });

  it('names a directory given as a file', async () => {
    const error = await caught(loadImage(file('folder.png')));
    expect(error.message).toBe(`Not an image file (it is a directory or device): "${file('folder.png')}"`);
  });

  it('names an empty file', async () => {
    const error = await caught(loadImage(file('empty.png')));
    expect([error.code, error.message]).toEqual(['empty', `Image file is empty (0 bytes): "${file('empty.png')}"`]);
  });

  it('names an empty buffer by its label', async () => {
    const error = await caught(loadImage(new Uint8Array(0), { name: 'upload.png' }));
    expect(error.message).toBe('Image file is empty (0 bytes): "upload.png"');
  });

  it('names a text file and keeps sharp’s message as detail', async () => {
    const error = await caught(loadImage(file('notes.png')));
    expect(error.code).toBe('not-an-image');
    expect(error.message).toBe(`Not a decodable image (format not recognised): "${file('notes.png')}"`);
    expect(error.details).toMatch(/unsupported image format/);
  });

  it('names a truncated PNG as corrupt', async () => {
    const error = await caught(loadImage(file('truncated.png')));
    expect(error.code).toBe('corrupt');
    expect(error.message).toBe(`Image could not be decoded, it is corrupt or truncated: "${file('truncated.png')}"`);
    expect(error.details).toMatch(/png/i);
  });

  it('names a PNG whose header declares zero width', async () => {
    const error = await caught(loadImage(file('zero-width.png')));
    expect(error.message).toBe(`Image could not be decoded, it is corrupt or truncated: "${file('zero-width.png')}"`);
    expect(error.details).toMatch(/corrupt header/);
  });

  it('refuses an image too small for PIA sizing', async () => {
    const error = await caught(loadImage(file('tiny.png')));
    expect(error.code).toBe('too-small');
    expect(error.message).toContain(`"${file('tiny.png')}" is 5×5`);
  });
});

describe('probeImage', () => {
  it('reports format and size without decoding', async () => {
    expect(await probeImage(file('solid.png'))).toEqual({
      ok: true,
      file: file('solid.png'),
      format: 'png',
      width: 40,
      height: 30,
      pages: 1,
      hasAlpha: false,
    });
  });

  it('reports the displayed size of an EXIF-rotated JPEG', async () => {
    const probe = await probeImage(file('rotated.jpg'));
    expect(probe.ok && [probe.width, probe.height]).toEqual([16, 32]);
  });

  it('counts the frames of an animated GIF', async () => {
    const probe = await probeImage(file('two-frames.gif'));
    expect(probe.ok && probe.pages).toBe(2);
  });

  it('returns the error for a file that is not an image', async () => {
    const probe = await probeImage(file('notes.png'));
    expect(!probe.ok && [probe.error.code, probe.error.message]).toEqual([
      'not-an-image',
      `Not a decodable image (format not recognised): "${file('notes.png')}"`,
    ]);
  });

  it('passes a PNG truncated after its header, which only a full decode catches', async () => {
    expect((await probeImage(file('truncated.png'))).ok).toBe(true);
  });
});
