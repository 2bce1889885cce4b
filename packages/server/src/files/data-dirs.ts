import { mkdirSync, realpathSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The folder roles `/view` and uploads know (`type=`). */
export type FileRootType = 'input' | 'output' | 'temp';

/** The data root and the folders under it. All paths are absolute and real (symlinks resolved). */
export interface DataDirs {
  root: string;
  input: string;
  output: string;
  temp: string;
  models: string;
  /** The SQLite database file. */
  database: string;
  /** The lock that keeps a second process off this data folder (see `acquireDataDirLock`). */
  lock: string;
}

/** The default data root, relative to the working directory: `./piagraph-data`. */
export const DEFAULT_DATA_DIR = 'piagraph-data';

/** Model sub-folders created up front, so `/models` lists where files go before any are there. */
export const MODEL_FOLDERS = ['checkpoints', 'pia', 'vae', 'embeddings'] as const;

/** Creates the data root and its folders if needed and returns their real paths. */
export function prepareDataDirs(dataDir: string): DataDirs {
  const root = resolve(dataDir);
  for (const sub of ['input', 'output', 'temp', 'models', ...MODEL_FOLDERS.map((f) => join('models', f))]) {
    mkdirSync(join(root, sub), { recursive: true });
  }
  const real = realpathSync(root);
  return {
    root: real,
    input: realpathSync(join(real, 'input')),
    output: realpathSync(join(real, 'output')),
    temp: realpathSync(join(real, 'temp')),
    models: realpathSync(join(real, 'models')),
    database: join(real, 'piagraph.db'),
    lock: join(real, 'piagraph.lock'),
  };
}

/** The folder for a `type=` value; throws nothing, returns undefined for an unknown type. */
export function rootFor(dirs: DataDirs, type: string): string | undefined {
  if (type === 'input' || type === 'output' || type === 'temp') return dirs[type];
  return undefined;
}
