/**
 * The out-of-the-box demo: the tiny generated models with a hand-set condition path (`demo-weights.ts`), written
 * into `models/` on first use, and a small generated input picture (drawn from an SVG with sharp, no download),
 * written into `input/` when the pack is created.
 * The combos always offer the demo names, so a fresh install validates and runs `examples/pia-image-to-video.json`.
 */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { pathExists } from '../path-exists.js';
import { ensureDemoMotionModel } from './demo-motion.js';
import { demoModelsCurrent, demoPaths, writeDemoModels } from './demo-weights.js';
import type { ModelFolder } from './model-store.js';

/** Names of the demo files as the combos list them. */
export const DEMO_CHECKPOINT = 'piagraph-demo-sd15.safetensors';
export const DEMO_PIA = 'piagraph-demo-pia.ckpt';
export const DEMO_IMAGE = 'piagraph-demo.png';
export const DEMO_VAE = 'piagraph-demo-vae.safetensors';
import { DEMO_LORA } from '../demo/demo-lora.js';
export { DEMO_LORA };

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

let tmpCounter = 0;

/** Writes `input/piagraph-demo.png` unless it is there; returns its path. */
export async function ensureDemoImage(inputDir: string): Promise<string> {
  const path = join(inputDir, DEMO_IMAGE);
  if (await pathExists(path)) return path;
  await mkdir(inputDir, { recursive: true });
  const png = await sharp(Buffer.from(demoSvg(DEMO_IMAGE_SIZE.width, DEMO_IMAGE_SIZE.height))).png().toBuffer();
  // Written under a temporary name of its own and renamed, so a concurrent reader never sees half a file and two
  // concurrent writers never rename each other's file away.
  const tmp = `${path}.tmp-${process.pid}-${++tmpCounter}`;
  await writeFile(tmp, png);
  await rename(tmp, path);
  return path;
}

let pendingModels: Map<string, Promise<unknown>> | undefined;

/** The demo file of each model folder written with the demo checkpoint, as the combos list it. */
export const DEMO_FILES: Readonly<Partial<Record<ModelFolder, string>>> = {
  checkpoints: DEMO_CHECKPOINT,
  pia: DEMO_PIA,
  vae: DEMO_VAE,
  loras: DEMO_LORA,
};

/** Writes the demo models under `modelsDir` when `name` is the demo file of `folder` (once per folder and process). */
export async function ensureDemoModelsFor(modelsDir: string, folder: ModelFolder, name: string): Promise<void> {
  if (folder === 'animatediff_models') return ensureDemoMotionModel(modelsDir, name);
  if (DEMO_FILES[folder] !== name) return;
  pendingModels ??= new Map();
  let pending = pendingModels.get(modelsDir);
  if (!pending) {
    pending = writeDemoModelsOnce(modelsDir);
    pendingModels.set(modelsDir, pending);
    pending.catch(() => pendingModels?.delete(modelsDir));
  }
  await pending;
}

/**
 * Writes the demo models unless all three are there. They are written under temporary names in the same folders
 * and renamed, so an interrupted write never leaves a file that looks complete.
 */
async function writeDemoModelsOnce(modelsDir: string): Promise<void> {
  const final = demoPaths(modelsDir, { checkpoint: DEMO_CHECKPOINT, pia: DEMO_PIA, vae: DEMO_VAE, lora: DEMO_LORA });
  // Files from an older demo generator (an unstamped or older `piagraph.demo-version`) are rewritten.
  if (await demoModelsCurrent(final)) return;
  const tag = `.tmp-${process.pid}-${Date.now()}`;
  const tmp = { checkpoint: `${final.checkpoint}${tag}`, pia: `${final.pia}${tag}`, tokenizer: `${final.tokenizer}${tag}`, vae: `${final.vae}${tag}`, lora: `${final.lora}${tag}` };
  try {
    await writeDemoModels(tmp);
    await rm(final.tokenizer, { recursive: true, force: true });
    await rename(tmp.tokenizer, final.tokenizer);
    await rename(tmp.vae, final.vae);
    await rename(tmp.lora, final.lora);
    await rename(tmp.pia, final.pia);
    await rename(tmp.checkpoint, final.checkpoint);
  } finally {
    await Promise.all(Object.values(tmp).map((p) => rm(p, { recursive: true, force: true })));
  }
}

/** A combo list with `demo` added when absent, sorted as the folder listings are. */
export function withDemo(names: readonly string[], demo: string): string[] {
  return names.includes(demo) ? [...names] : [...names, demo].sort((a, b) => a.localeCompare(b));
}
