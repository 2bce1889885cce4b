import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { WeightFileError } from './errors.js';
import type { ReadAs, ReadResult, TensorInfo, WeightSource } from './weight-source.js';

/** One file of a {@link MultiFileWeightSource} and the prefix its keys get there. */
export interface WeightPart {
  readonly prefix: string;
  readonly source: WeightSource;
}

/**
 * Several weight sources seen as one, each under a key prefix: a diffusers folder becomes `unet.conv_in.weight`,
 * `vae.encoder.conv_in.weight`, `text_encoder.text_model...`. Keys must be unique across parts.
 */
export class MultiFileWeightSource implements WeightSource {
  readonly format = 'multi' as const;
  readonly files: readonly string[];
  readonly metadata: Readonly<Record<string, string>>;
  private readonly owners = new Map<string, { source: WeightSource; key: string }>();

  constructor(
    readonly path: string,
    readonly parts: readonly WeightPart[],
  ) {
    const metadata: Record<string, string> = {};
    for (const { prefix, source } of parts) {
      for (const key of source.keys()) {
        const full = `${prefix}${key}`;
        const previous = this.owners.get(full);
        if (previous !== undefined) {
          throw new WeightFileError('corrupt', path, `the key is in both ${previous.source.path} and ${source.path}`, { tensor: full });
        }
        this.owners.set(full, { source, key });
      }
      for (const [k, v] of Object.entries(source.metadata)) metadata[`${prefix}${k}`] = v;
    }
    this.files = parts.flatMap((p) => p.source.files);
    this.metadata = Object.freeze(metadata);
  }

  keys(): string[] {
    return [...this.owners.keys()];
  }

  has(key: string): boolean {
    return this.owners.has(key);
  }

  info(key: string): TensorInfo {
    const { source, key: inner } = this.owner(key);
    return source.info(inner);
  }

  read<A extends ReadAs>(key: string, as: A): Promise<ReadResult[A]> {
    const { source, key: inner } = this.owner(key);
    return source.read(inner, as);
  }

  async close(): Promise<void> {
    await Promise.all(this.parts.map((p) => p.source.close()));
  }

  private owner(key: string): { source: WeightSource; key: string } {
    const owner = this.owners.get(key);
    if (owner === undefined) throw new WeightFileError('missing-tensor', this.path, 'no such tensor in any file of the folder', { tensor: key });
    return owner;
  }
}

/** Options of {@link findWeightFiles}. */
export interface WeightDirOptions {
  /** A diffusers variant such as "fp16": prefer `*.fp16.safetensors`, falling back to the plain files. */
  variant?: string;
}

const WEIGHT_FILE = /^(?<stem>.+?)(?:-\d{5}-of-\d{5})?\.(?<ext>safetensors|bin|ckpt|pt|pth)$/;

interface Candidate {
  name: string;
  variant: string | undefined;
  safetensors: boolean;
}

function candidate(name: string): Candidate | undefined {
  const match = WEIGHT_FILE.exec(name);
  if (match?.groups === undefined) return undefined;
  const stem = match.groups.stem!;
  const dot = stem.lastIndexOf('.');
  return { name, variant: dot > 0 ? stem.slice(dot + 1) : undefined, safetensors: match.groups.ext === 'safetensors' };
}

/**
 * The weight files of one folder: the requested variant, else the plain files, else (a dotted name that only
 * looks like a variant, e.g. `sd-v1.5.safetensors`) all of them; safetensors preferred over pickles.
 */
function pick(names: string[], variant: string | undefined): string[] {
  const all = names.map(candidate).filter((c): c is Candidate => c !== undefined);
  let chosen = all.filter((c) => c.variant === variant);
  if (chosen.length === 0 && variant !== undefined) chosen = all.filter((c) => c.variant === undefined);
  if (chosen.length === 0) chosen = all;
  if (chosen.some((c) => c.safetensors)) chosen = chosen.filter((c) => c.safetensors);
  return chosen.map((c) => c.name).sort();
}

/**
 * The weight files of a model folder and their key prefixes: files directly inside get no prefix, files in a
 * subfolder (`unet/`, `vae/`, `text_encoder/`) get `<subfolder>.`. Hidden entries are skipped.
 */
export async function findWeightFiles(dir: string, options: WeightDirOptions = {}): Promise<{ prefix: string; path: string }[]> {
  let entries;
  try {
    entries = await fsp.readdir(dir, { withFileTypes: true });
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code === 'ENOENT' ? 'not-found' : 'io';
    throw new WeightFileError(code, dir, `cannot list the folder: ${(cause as Error).message}`, { cause });
  }
  const visible = entries.filter((e) => !e.name.startsWith('.'));
  const found = pick(visible.filter((e) => e.isFile()).map((e) => e.name), options.variant).map((name) => ({ prefix: '', path: join(dir, name) }));
  for (const sub of visible.filter((e) => e.isDirectory()).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const files = (await fsp.readdir(join(dir, sub.name), { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name);
    for (const name of pick(files, options.variant)) found.push({ prefix: `${sub.name}.`, path: join(dir, sub.name, name) });
  }
  if (found.length === 0) throw new WeightFileError('not-found', dir, 'the folder holds no .safetensors, .bin, .ckpt, .pt or .pth files');
  return found;
}
