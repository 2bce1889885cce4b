import { mkdir, rename, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { resolveInside } from '../../files/safe-path.js';
import { sha256Of, type InputFileRef } from '../prompt-files.js';

/**
 * Makes the server's input files a job uses (uploaded pictures) present in the worker's `input/`, downloading from
 * the server's `/view` only those missing or different (by size and SHA-256).
 */
export async function fetchInputs(
  refs: readonly InputFileRef[],
  inputDir: string,
  base: string,
  headers: Record<string, string>,
): Promise<void> {
  for (const ref of refs) {
    const path = resolveInside(inputDir, ref.subfolder, ref.filename, false);
    const have = await stat(path).catch(() => undefined);
    if (have?.isFile() && have.size === ref.size && (await sha256Of(path)) === ref.sha256) continue;
    const query = new URLSearchParams({ type: 'input', subfolder: ref.subfolder, filename: ref.filename });
    const res = await fetch(`${base}/api/view?${query}`, { headers });
    if (!res.ok) throw new Error(`Cannot fetch input ${ref.subfolder ? `${ref.subfolder}/` : ''}${ref.filename} from the server: ${res.status}`);
    const data = Buffer.from(await res.arrayBuffer());
    await mkdir(dirname(path), { recursive: true });
    // Written aside and renamed, so a job never reads a half-written picture.
    const partial = `${path}.part-${process.pid}`;
    await writeFile(partial, data);
    await rename(partial, path);
  }
}
