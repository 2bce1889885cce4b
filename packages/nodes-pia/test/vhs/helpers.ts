/** Running one node's `run` of a real pack (for nodes whose outputs are numbers and batches, not files), and test videos. */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AnyNodeDefinition, RunContext } from '@piagraph/graph-core';
import sharp from 'sharp';
import type { PiaPack } from '../../src/pack.js';

/**
 * Writes `frames` flat-colour frames of `width × height` at `fps` to `file` as a lossless video (FFV1 in Matroska),
 * frame i filled with `colour(i)`, so every loaded frame tells which source frame it is.
 */
export async function writeTestVideo(
  file: string,
  frames: number,
  size: { width: number; height: number; fps: number },
  colour: (i: number) => { r: number; g: number; b: number },
): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'piagraph-frames-'));
  try {
    for (let i = 0; i < frames; i++) {
      await sharp({ create: { width: size.width, height: size.height, channels: 3, background: colour(i) } })
        .png()
        .toFile(join(dir, `${String(i).padStart(4, '0')}.png`));
    }
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-framerate', String(size.fps), '-i', join(dir, '%04d.png'), '-c:v', 'ffv1', '-pix_fmt', 'bgr0', file]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Runs `classType`'s `run` with `inputs` as the executor would hand them over; returns its outputs. */
export async function runNode(pack: PiaPack, classType: string, inputs: Record<string, unknown>): Promise<unknown[]> {
  const node = pack.nodes.find((n: AnyNodeDefinition) => n.classType === classType);
  if (!node) throw new Error(`no node ${classType}`);
  const ctx: RunContext = {
    promptId: 'test',
    nodeId: '1',
    classType,
    prompt: {},
    extraData: {},
    signal: new AbortController().signal,
    progress: () => undefined,
    text: () => undefined,
  };
  const result = await node.run(inputs, ctx);
  return result.outputs as unknown[];
}

/** Every frame of `file` decoded by the ffmpeg command line (not piagraph's reader): the RGB colour at its centre. */
export function centreColours(file: string, width: number, height: number): Array<[number, number, number]> {
  const raw = execFileSync('ffmpeg', ['-v', 'error', '-i', file, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { maxBuffer: 1 << 28 });
  const frameBytes = width * height * 3;
  if (raw.length % frameBytes !== 0) throw new Error(`${file} decoded to ${raw.length} bytes, not whole ${width}×${height} frames`);
  return Array.from({ length: raw.length / frameBytes }, (_, f) => {
    const at = f * frameBytes + ((height >> 1) * width + (width >> 1)) * 3;
    return [raw[at]!, raw[at + 1]!, raw[at + 2]!];
  });
}
