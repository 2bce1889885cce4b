/**
 * The out-of-the-box demo: the tiny generated models (written by `ensureDemoModels` into `models/` on first use)
 * and a small generated input picture (drawn from an SVG with sharp, no download). The combos always offer the
 * demo names, so a fresh install validates and runs `examples/pia-image-to-video.json` as it is.
 */
import { access, mkdir, rename, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import sharp from 'sharp';
import { demoModelPaths, ensureDemoModels } from '../demo/index.js';

/** Names of the demo files as the combos list them. */
export const DEMO_CHECKPOINT = basename(demoModelPaths('').checkpoint);
export const DEMO_PIA = basename(demoModelPaths('').pia);
export const DEMO_IMAGE = 'piagraph-demo.png';

/** Size of the demo picture: 3:2 and small, so the demo runs in seconds on two CPU cores. */
export const DEMO_IMAGE_SIZE = { width: 96, height: 64 } as const;

/** A lighthouse on a cliff at dusk: large flat areas and a few strong edges, so motion is easy to see. */
function demoSvg(width: number, height: number): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 96 64">
  <defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1">
    <stop offset="0" stop-color="#1d2b64"/><stop offset="0.7" stop-color="#f8a35b"/><stop offset="1" stop-color="#f9d976"/>
  </linearGradient></defs>
  <rect width="96" height="64" fill="url(#sky)"/>
  <circle cx="70" cy="40" r="9" fill="#fff3b0"/>
  <rect y="44" width="96" height="20" fill="#1b4f72"/>
  <path d="M0 64 L0 40 L30 36 L44 64 Z" fill="#2e2e2e"/>
  <rect x="16" y="14" width="7" height="24" fill="#f4f4f4"/>
  <rect x="16" y="20" width="7" height="4" fill="#c0392b"/><rect x="16" y="29" width="7" height="4" fill="#c0392b"/>
  <polygon points="14,14 25,14 19.5,8" fill="#c0392b"/>
  <polygon points="23,11 60,4 60,18" fill="#fff7c2" opacity="0.55"/>
</svg>`;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** Writes `input/piagraph-demo.png` unless it is there; returns its path. */
export async function ensureDemoImage(inputDir: string): Promise<string> {
  const path = join(inputDir, DEMO_IMAGE);
  if (await exists(path)) return path;
  await mkdir(inputDir, { recursive: true });
  const png = await sharp(Buffer.from(demoSvg(DEMO_IMAGE_SIZE.width, DEMO_IMAGE_SIZE.height))).png().toBuffer();
  // Written under a temporary name and renamed, so a concurrent reader never sees half a file.
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, png);
  await rename(tmp, path);
  return path;
}

let pendingModels: Map<string, Promise<unknown>> | undefined;

/** Writes the demo models under `modelsDir` when `checkpointName`/`piaName` name them (once per folder and process). */
export async function ensureDemoModelsFor(modelsDir: string, checkpointName: string, piaName: string): Promise<void> {
  if (checkpointName !== DEMO_CHECKPOINT && piaName !== DEMO_PIA) return;
  pendingModels ??= new Map();
  let pending = pendingModels.get(modelsDir);
  if (!pending) {
    pending = ensureDemoModels(modelsDir);
    pendingModels.set(modelsDir, pending);
    pending.catch(() => pendingModels?.delete(modelsDir));
  }
  await pending;
}

/** A combo list with `demo` added when absent, sorted as the folder listings are. */
export function withDemo(names: readonly string[], demo: string): string[] {
  return names.includes(demo) ? [...names] : [...names, demo].sort((a, b) => a.localeCompare(b));
}
