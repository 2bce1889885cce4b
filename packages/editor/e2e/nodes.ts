import { execFile } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { defineNode, type AnyNodeDefinition } from '@piagraph/graph-core';

/**
 * An e2e-only node pack standing in for the PIA nodes until they and their tiny demo model exist: a solid-colour
 * image, a slow "sampler" that reports progress with preview frames, and an output node that writes a real
 * animated WebP (sharp) or WebM (ffmpeg) into `output/` and returns it in ComfyUI's ui shape.
 */

/** Raw RGB frames, all the same size. */
interface Frames {
  width: number;
  height: number;
  frames: Buffer[];
}

const COLORS: Record<string, [number, number, number]> = { red: [220, 40, 40], green: [40, 200, 80], blue: [40, 90, 230] };

function wait(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), reject(signal.reason)), { once: true });
  });
}

/** A frame of `rgb` with a bar whose length shows `t` in 0..1, so the animation visibly moves. */
function frame(width: number, height: number, rgb: readonly number[], t: number): Buffer {
  const buf = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const bar = y > height * 0.4 && y < height * 0.6 && x < width * t;
      const i = (y * width + x) * 3;
      buf[i] = bar ? 255 : rgb[0]!;
      buf[i + 1] = bar ? 255 : rgb[1]!;
      buf[i + 2] = bar ? 255 : rgb[2]!;
    }
  }
  return buf;
}

const E2ESolidImage = defineNode({
  classType: 'E2ESolidImage',
  displayName: 'Solid Image',
  category: 'e2e/image',
  description: 'A one-colour image.',
  inputs: {
    required: {
      color: { type: 'COMBO', options: Object.keys(COLORS), default: 'blue' },
      size: { type: 'INT', default: 32, min: 8, max: 128, step: 8 },
    },
  },
  outputs: [{ type: 'IMAGE' }],
  run({ color, size }) {
    const value: Frames = { width: size, height: size, frames: [frame(size, size, COLORS[color] ?? [0, 0, 0], 0)] };
    return { outputs: [value as never] };
  },
});

const E2ESlowFrames = defineNode({
  classType: 'E2ESlowFrames',
  displayName: 'Slow Frames',
  category: 'e2e/sampling',
  description: 'Makes frames slowly, reporting progress and a preview each step, like a sampler.',
  inputs: {
    required: {
      image: { type: 'IMAGE' },
      frames: { type: 'INT', default: 6, min: 2, max: 32 },
      steps: { type: 'INT', default: 6, min: 1, max: 50 },
      seed: { type: 'INT', default: 0, min: 0, max: 1000, control_after_generate: true },
    },
  },
  outputs: [{ type: 'IMAGE' }],
  cache: 'never',
  async run({ image, frames, steps }, ctx) {
    const src = image as unknown as Frames;
    for (let i = 1; i <= steps; i++) {
      await wait(120, ctx.signal);
      const preview = await sharp(frame(src.width, src.height, [80, 80, 80], i / steps), {
        raw: { width: src.width, height: src.height, channels: 3 },
      })
        .png()
        .toBuffer();
      ctx.progress(i, steps, { format: 'png', data: new Uint8Array(preview) });
    }
    const first = src.frames[0]!;
    const rgb = [first[0]!, first[1]!, first[2]!];
    const out: Frames = { width: src.width, height: src.height, frames: [] };
    for (let f = 0; f < frames; f++) out.frames.push(frame(src.width, src.height, rgb, (f + 1) / frames));
    return { outputs: [out as never] };
  },
});

/** Builds the output node, writing into `outputDir`. */
function saveAnimation(outputDir: string) {
  let counter = 0;
  return defineNode({
    classType: 'E2ESaveAnimation',
    displayName: 'Save Animation',
    category: 'e2e',
    description: 'Writes the frames as an animated WebP or a WebM video.',
    inputs: {
      required: {
        images: { type: 'IMAGE' },
        fps: { type: 'INT', default: 8, min: 1, max: 30 },
        format: { type: 'COMBO', options: ['webm', 'webp'], default: 'webm' },
      },
    },
    outputs: [],
    outputNode: true,
    cache: 'never',
    async run({ images, fps, format }) {
      const { width, height, frames } = images as unknown as Frames;
      await mkdir(outputDir, { recursive: true });
      const filename = `e2e_${String(++counter).padStart(5, '0')}_${Date.now()}.${format}`;
      const tall = Buffer.concat(frames);
      if (format === 'webp') {
        const webp = await sharp(tall, { raw: { width, height: height * frames.length, channels: 3, pageHeight: height } })
          .webp({ loop: 0, delay: frames.map(() => Math.round(1000 / fps)) })
          .toBuffer();
        await writeFile(join(outputDir, filename), webp);
      } else {
        const rawPath = join(outputDir, `${filename}.rgb`);
        await writeFile(rawPath, tall);
        await promisify(execFile)('ffmpeg', [
          '-v', 'error', '-y', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${width}x${height}`, '-r', String(fps),
          '-i', rawPath, '-c:v', 'libvpx-vp9', '-pix_fmt', 'yuv420p', '-b:v', '200k', join(outputDir, filename),
        ]);
        await rm(rawPath);
      }
      const mime = format === 'webp' ? 'image/webp' : 'video/webm';
      return { outputs: [] as never, ui: { gifs: [{ filename, subfolder: '', type: 'output', format: mime, frame_rate: fps }] } };
    },
  });
}

/** The pack, its output node writing into `outputDir`. */
export function e2eNodes(outputDir: string): AnyNodeDefinition[] {
  return [E2ESolidImage, E2ESlowFrames, saveAnimation(outputDir)];
}
