import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

/** A fresh temporary folder, removed after the enclosing suite. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'piagraph-weights-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Concatenate latin1 strings (one char per byte) and byte arrays: for hand-assembling binary formats. */
export function bytes(...parts: (string | readonly number[] | Uint8Array)[]): Uint8Array {
  const out: number[] = [];
  for (const part of parts) {
    if (typeof part === 'string') for (const c of part) out.push(c.charCodeAt(0));
    else out.push(...part);
  }
  return Uint8Array.from(out);
}

/** Little-endian unsigned integer of `n` bytes. */
export function le(value: number | bigint, n: number): number[] {
  let v = BigInt(value);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    out.push(Number(v & 0xffn));
    v >>= 8n;
  }
  return out;
}

/** The 4 bytes of an fp32 value, little-endian. */
export function f32le(...values: number[]): number[] {
  return [...new Uint8Array(Float32Array.from(values).buffer)];
}

/** A big-endian IEEE double, as pickle's BINFLOAT stores it. */
export function f64be(value: number): number[] {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setFloat64(0, value, false);
  return [...b];
}

/** Message of the error `fn` throws or rejects with. */
export async function errorOf(fn: () => unknown): Promise<Error> {
  try {
    await fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error, but none was thrown');
}
