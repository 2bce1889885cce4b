/**
 * The data folders as the nodes see them: which checkpoint, PIA and input files are installed (the combo options),
 * and where a chosen name lives on disk. Listing is synchronous because graph-core calls combo option functions
 * synchronously each time it builds `object_info` or validates a prompt.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { PipelineError } from './errors.js';

/** Weight files a checkpoint or PIA file may be (the extensions the weight readers open). */
export const WEIGHT_EXTENSIONS: readonly string[] = ['.safetensors', '.ckpt', '.pt', '.pth', '.bin'];

/** Image files Load Image offers (anything sharp decodes; the list only filters what is shown). */
export const IMAGE_EXTENSIONS: readonly string[] = ['.png', '.jpg', '.jpeg', '.webp', '.gif', '.bmp', '.tif', '.tiff', '.avif'];

function entries(dir: string): import('node:fs').Dirent[] {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

/** A folder that is a diffusers pipeline (`model_index.json` or a `unet/` folder). */
function isDiffusersPipeline(dir: string): boolean {
  return existsSync(join(dir, 'model_index.json')) || existsSync(join(dir, 'unet'));
}

/** A folder that is a diffusers MotionAdapter (`config.json` beside its weights). */
function isMotionAdapterFolder(dir: string): boolean {
  return existsSync(join(dir, 'config.json')) && entries(dir).some((e) => e.isFile() && WEIGHT_EXTENSIONS.includes(extname(e.name)));
}

/**
 * Names under `root` (recursive, `/`-separated, sorted as ComfyUI sorts them): files with one of `extensions`, and
 * folders that `isModelFolder` accepts (listed as one entry, not descended into). Hidden entries (`.cache`) and the
 * demo tokenizer folders are skipped.
 */
export function listFiles(root: string, extensions: readonly string[], isModelFolder?: (dir: string) => boolean): string[] {
  const found: string[] = [];
  const walk = (dir: string, depth: number): void => {
    for (const entry of entries(dir)) {
      if (entry.name.startsWith('.') || entry.name.endsWith('.tokenizer')) continue;
      const path = join(dir, entry.name);
      const name = relative(root, path).split(sep).join('/');
      if (entry.isDirectory()) {
        if (isModelFolder?.(path)) found.push(name);
        else if (depth < 4) walk(path, depth + 1);
      } else if (extensions.includes(extname(entry.name).toLowerCase())) {
        found.push(name);
      }
    }
  };
  walk(root, 0);
  return found.sort((a, b) => a.localeCompare(b));
}

/** `models/checkpoints/`: LDM single files and diffusers pipeline folders. */
export function listCheckpoints(modelsDir: string): string[] {
  return listFiles(join(modelsDir, 'checkpoints'), WEIGHT_EXTENSIONS, isDiffusersPipeline);
}

/** `models/pia/`: `pia.ckpt`-style files and diffusers PIA-condition-adapter folders. */
export function listPiaFiles(modelsDir: string): string[] {
  return listFiles(join(modelsDir, 'pia'), WEIGHT_EXTENSIONS, isMotionAdapterFolder);
}

/** Weight files of a plain model folder (`models/vae/`, `models/loras/`, `models/animatediff_motion_lora/`). */
export function listModelFiles(modelsDir: string, folder: 'vae' | 'loras' | 'animatediff_models' | 'animatediff_motion_lora'): string[] {
  return listFiles(join(modelsDir, folder), WEIGHT_EXTENSIONS);
}

/**
 * Motion models as AnimateDiff-Evolved's `model_name` lists them: `models/animatediff_models/` (ADE's folder), plus the
 * PIA files of `models/pia/`, so ADE's PIA workflows find a `pia.ckpt` installed for piagraph's own PIA nodes. A name in
 * both folders is listed once and resolves to `animatediff_models/`.
 */
export function listMotionModels(modelsDir: string): string[] {
  const names = new Set([...listModelFiles(modelsDir, 'animatediff_models'), ...listFiles(join(modelsDir, 'pia'), WEIGHT_EXTENSIONS)]);
  return [...names].sort((a, b) => a.localeCompare(b));
}

/** `input/`: images. */
export function listInputImages(inputDir: string): string[] {
  return listFiles(inputDir, IMAGE_EXTENSIONS);
}

/**
 * The absolute path of `name` inside `root`, refusing names that leave it (`../x`, absolute paths), so a prompt
 * can only reach files in the data folders.
 */
export function resolveInside(root: string, name: string, input: string): string {
  const base = resolve(root);
  const path = resolve(base, name);
  const inside = relative(base, path);
  if (name === '' || isAbsolute(name) || inside.startsWith('..') || isAbsolute(inside) || name.includes('\0')) {
    throw new PipelineError('model-not-found', `"${name}" is not a name inside ${base}`, { name, root: base }, input);
  }
  return path;
}

/** The file's size and modification time, for node fingerprints; `missing` when it is not there. */
export function fileStamp(path: string): string {
  try {
    const info = statSync(path);
    return `${info.size}:${Math.round(info.mtimeMs)}`;
  } catch {
    return 'missing';
  }
}

/**
 * Where the CLIP tokenizer of a checkpoint is, in order: a diffusers pipeline's own `tokenizer/`; a folder
 * `<checkpoint name without extension>.tokenizer/` beside a single file (the demo model uses this); a shared
 * `models/tokenizer/` (a `tokenizer/` folder, `tokenizer.json`, or CLIP's `bpe_simple_vocab_16e6.txt.gz`);
 * `$PIAGRAPH_CLIP_TOKENIZER`. Single-file checkpoints do not contain the vocabulary, so one of the last three is needed.
 */
export function findTokenizer(modelsDir: string, checkpointPath: string): string {
  const stem = join(dirname(checkpointPath), basename(checkpointPath, extname(checkpointPath)));
  const shared = join(modelsDir, 'tokenizer');
  const candidates = [
    join(checkpointPath, 'tokenizer'),
    `${stem}.tokenizer`,
    shared,
    join(shared, 'bpe_simple_vocab_16e6.txt.gz'),
    join(shared, 'tokenizer.json'),
    process.env['PIAGRAPH_CLIP_TOKENIZER'] ?? '',
  ];
  for (const candidate of candidates) {
    if (candidate === '' || !existsSync(candidate)) continue;
    if (statSync(candidate).isDirectory()) {
      const ok = ['vocab.json', 'tokenizer.json', 'tokenizer/vocab.json', 'tokenizer/tokenizer.json', 'bpe_simple_vocab_16e6.txt.gz'].some((f) =>
        existsSync(join(candidate, f)),
      );
      if (!ok) continue;
      if (existsSync(join(candidate, 'bpe_simple_vocab_16e6.txt.gz'))) return join(candidate, 'bpe_simple_vocab_16e6.txt.gz');
    }
    return candidate;
  }
  throw new PipelineError(
    'tokenizer-not-found',
    `No CLIP tokenizer for "${checkpointPath}". Single-file checkpoints do not contain one: put SD 1.5's tokenizer ` +
      `(a folder with vocab.json + merges.txt, a tokenizer.json, or CLIP's bpe_simple_vocab_16e6.txt.gz) in ` +
      `${shared}, or set PIAGRAPH_CLIP_TOKENIZER`,
    { checkpoint: checkpointPath, looked: candidates.filter(Boolean) },
    'ckpt_name',
  );
}
