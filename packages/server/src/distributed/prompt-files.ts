import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { inputEntries, type ApiPrompt, type ComboInputSpec, type InputSpec, type NodeRegistry } from '@piagraph/graph-core';
import { resolveInside } from '../files/safe-path.js';

/** A file of the server's `input/` a prompt uses (an uploaded picture), which a worker fetches before running it. */
export interface InputFileRef {
  subfolder: string;
  filename: string;
  size: number;
  sha256: string;
}

type Literal = { classType: string; input: string; spec: InputSpec; value: string };

/** Every string literal of the prompt with the spec of the input it fills. */
function stringLiterals(prompt: ApiPrompt, registry: NodeRegistry): Literal[] {
  const found: Literal[] = [];
  for (const node of Object.values(prompt)) {
    const def = registry.get(node.class_type);
    if (!def) continue;
    for (const entry of inputEntries(def)) {
      const value = (node.inputs as Record<string, unknown>)[entry.name];
      if (typeof value === 'string') found.push({ classType: node.class_type, input: entry.name, spec: entry.spec, value });
    }
  }
  return found;
}

function isFolderCombo(spec: InputSpec): spec is ComboInputSpec {
  return spec.type === 'COMBO' && typeof (spec as ComboInputSpec).options === 'function';
}

/**
 * The model files a prompt loads: values of combo inputs whose choices are read from a folder and whose name ends in
 * `_name` (ComfyUI's convention: `ckpt_name`, `vae_name`, `lora_name`, `pia_name`, …). Sorted, without repeats.
 */
export function promptModels(prompt: ApiPrompt, registry: NodeRegistry): string[] {
  const models = new Set<string>();
  for (const l of stringLiterals(prompt, registry)) {
    if (isFolderCombo(l.spec) && l.input.endsWith('_name') && !l.spec.image_upload) models.add(`${l.input}:${l.value}`);
  }
  return [...models].sort();
}

/** The input name and file of a `promptModels` key. */
export function splitModelKey(key: string): [input: string, value: string] {
  const colon = key.indexOf(':');
  return [key.slice(0, colon), key.slice(colon + 1)];
}

/** ComfyUI's annotated file names: `photo.png [input]`. */
function stripAnnotation(value: string): { name: string; folder: string } {
  const m = /^(.*) \[(input|output|temp)\]$/.exec(value);
  return m ? { name: m[1]!, folder: m[2]! } : { name: value, folder: 'input' };
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * The files of the server's `input/` the prompt's pickers name (inputs marked `image_upload` or `image_folder:
 * "input"`), with their size and hash so a worker fetches only what it lacks. Names that are not files there are left
 * for the worker's own validation to report.
 */
export async function promptInputFiles(prompt: ApiPrompt, registry: NodeRegistry, inputDir: string): Promise<InputFileRef[]> {
  const refs = new Map<string, InputFileRef>();
  for (const l of stringLiterals(prompt, registry)) {
    const spec = l.spec as ComboInputSpec;
    if (spec.type !== 'COMBO' || !(spec.image_upload === true || spec.image_folder === 'input')) continue;
    const { name, folder } = stripAnnotation(l.value);
    if (folder !== 'input' || refs.has(name)) continue;
    const slash = name.lastIndexOf('/');
    const subfolder = slash >= 0 ? name.slice(0, slash) : '';
    const filename = slash >= 0 ? name.slice(slash + 1) : name;
    let path: string;
    try {
      path = resolveInside(inputDir, subfolder, filename, true);
      const stat = statSync(path);
      if (!stat.isFile()) continue;
      refs.set(name, { subfolder, filename, size: stat.size, sha256: await sha256Of(path) });
    } catch {
      continue;
    }
  }
  return [...refs.values()];
}

export { sha256Of };
