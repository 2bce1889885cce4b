/**
 * Opening a session on model files written next to a cached graph (so that their external-data references to the
 * cached `model.weights.bin` resolve), under a unique name. The files are removed as soon as the session holds the
 * weights (POSIX keeps a mapped file alive until it is unmapped); where that fails (Windows), on release.
 */
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { OnnxSession, type SessionOptions } from '../onnx/session.js';

/** A session on side files, and how long creating it took (after the files were written). */
export interface SideSession {
  readonly session: OnnxSession;
  readonly sessionSeconds: number;
  /** Releases the session and removes the files if they are still there. */
  release(): Promise<void>;
}

async function removeQuietly(paths: readonly string[]): Promise<boolean> {
  try {
    await Promise.all(paths.map((p) => rm(p, { force: true })));
    return true;
  } catch {
    return false;
  }
}

/**
 * Writes files next to `modelPath` with `write(side)`, where `side(suffix)` names a file under a fresh stem
 * (`lora-<pid>-<random><suffix>`), then opens the `.onnx` one it names first.
 */
export async function openSideModel(
  modelPath: string,
  write: (side: (suffix: string) => string) => Promise<void>,
  options: SessionOptions,
): Promise<SideSession> {
  const stem = join(dirname(modelPath), `lora-${process.pid}-${randomUUID().slice(0, 8)}`);
  const files: string[] = [];
  const side = (suffix: string) => {
    const path = stem + suffix;
    files.push(path);
    return path;
  };
  let session: OnnxSession;
  let started = performance.now();
  try {
    await write(side);
    const model = files.find((f) => f.endsWith('.onnx'));
    if (!model) throw new Error('openSideModel: no .onnx file was named');
    started = performance.now();
    session = await OnnxSession.load(model, options);
  } catch (err) {
    await removeQuietly(files);
    throw err;
  }
  const sessionSeconds = (performance.now() - started) / 1000;
  const removed = await removeQuietly(files);
  return {
    session,
    sessionSeconds,
    release: async () => {
      await session.release();
      if (!removed) await removeQuietly(files);
    },
  };
}
