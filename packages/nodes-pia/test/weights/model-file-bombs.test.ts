/**
 * Model files built to exhaust the reader: zip bombs (honest and lying sizes), a pickle whose shared dicts double the
 * work per level, huge integers, too many values or memo slots. Each must fail fast with a WeightFileError, within
 * bounded memory, instead of hanging or growing the process by gigabytes.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { constants, crc32, deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { WeightFileError } from '../../src/weights/errors.js';
import { PICKLE_LIMITS, unpickle } from '../../src/weights/pickle.js';
import { MAX_FLATTENED_ENTRIES, MAX_PICKLE_BYTES, openTorchCheckpoint } from '../../src/weights/torch-zip.js';
import { torchUnpickleOptions } from '../../src/weights/torch-pickle.js';
import { bytes, errorOf, le, tempDir } from './helpers.js';
import { writeHandZip } from './zip-by-hand.js';

const dir = tempDir();
const GiB = 1024 * 1024 * 1024;

/**
 * Raw deflate data that inflates to `total` zero bytes, built without compressing `total` bytes: one 16 MiB block
 * flushed with Z_FULL_FLUSH (byte-aligned, no back-references across it) repeats as often as needed, then an empty
 * final block closes the stream.
 */
function zeroBomb(total: number): Buffer {
  const chunk = 16 * 1024 * 1024;
  const block = deflateRawSync(Buffer.alloc(chunk), { level: 9, finishFlush: constants.Z_FULL_FLUSH });
  const end = deflateRawSync(Buffer.alloc(0));
  return Buffer.concat([...Array.from({ length: total / chunk }, () => block), end]);
}

/** A zip with one deflated `archive/data.pkl` holding `deflated`, whose headers declare `declaredSize`. */
function writeDeflatedPickleZip(path: string, deflated: Buffer, declaredSize: number): void {
  const name = 'archive/data.pkl';
  const fd = openSync(path, 'w');
  let at = 0;
  const put = (chunk: Uint8Array): void => {
    writeSync(fd, chunk, 0, chunk.length, at);
    at += chunk.length;
  };
  const crc = crc32(Buffer.alloc(0));
  put(bytes(le(0x04034b50, 4), le(20, 2), le(0, 2), le(8, 2), le(0, 4), le(crc, 4), le(deflated.length, 4), le(declaredSize, 4), le(name.length, 2), le(0, 2), name));
  put(deflated);
  const directory = at;
  put(
    bytes(
      le(0x02014b50, 4), le(20, 2), le(20, 2), le(0, 2), le(8, 2), le(0, 4), le(crc, 4), le(deflated.length, 4), le(declaredSize, 4),
      le(name.length, 2), le(0, 2), le(0, 2), le(0, 2), le(0, 2), le(0, 4), le(0, 4), name,
    ),
  );
  put(bytes(le(0x06054b50, 4), le(0, 2), le(0, 2), le(1, 2), le(1, 2), le(at - directory, 4), le(directory, 4), le(0, 2)));
  closeSync(fd);
}

/** Runs `fn` and reports how far the process's resident memory rose above where it started, sampled every 2 ms. */
async function peakGrowth<T>(fn: () => Promise<T>): Promise<{ result: T | Error; growthMb: number }> {
  const start = process.memoryUsage.rss();
  let peak = start;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 2);
  try {
    const result = await fn().catch((e: unknown) => e as Error);
    peak = Math.max(peak, process.memoryUsage.rss());
    return { result, growthMb: (peak - start) / 1024 / 1024 };
  } finally {
    clearInterval(timer);
  }
}

describe('zip bombs in a .ckpt', () => {
  const bomb = zeroBomb(GiB);

  it('is about 1 MB that inflates to 1 GiB (the test data is what it claims)', () => {
    expect(bomb.length).toBeLessThan(2 * 1024 * 1024);
  });

  it('refuses a pickle record that honestly declares 1 GiB, before reading it', async () => {
    const path = join(dir, 'honest-bomb.ckpt');
    writeDeflatedPickleZip(path, bomb, GiB);
    const { result, growthMb } = await peakGrowth(() => openTorchCheckpoint(path));
    expect(result).toBeInstanceOf(WeightFileError);
    expect((result as Error).message).toContain(`"archive/data.pkl" declares ${GiB} bytes, more than the ${MAX_PICKLE_BYTES} it may hold`);
    expect(growthMb).toBeLessThan(200);
  });

  it('stops a record that declares 1 KB and inflates to 1 GiB at the declared size', async () => {
    const path = join(dir, 'lying-bomb.ckpt');
    writeDeflatedPickleZip(path, bomb, 1024);
    const { result, growthMb } = await peakGrowth(() => openTorchCheckpoint(path));
    expect((result as Error).message).toContain('"archive/data.pkl" inflates to more than its declared 1024 bytes');
    expect(growthMb).toBeLessThan(200);
  });

  it('stops one that declares just under the limit at that limit, not at 1 GiB', { timeout: 30_000 }, async () => {
    const path = join(dir, 'near-limit-bomb.ckpt');
    writeDeflatedPickleZip(path, bomb, MAX_PICKLE_BYTES - 1);
    const { result, growthMb } = await peakGrowth(() => openTorchCheckpoint(path));
    expect((result as Error).message).toContain(`inflates to more than its declared ${MAX_PICKLE_BYTES - 1} bytes`);
    // The cap (64 MiB) plus the compressed input, not the gigabyte the stream would make.
    expect(growthMb).toBeLessThan(400);
  });

  it('refuses a declared size deflate could never reach from the compressed size', async () => {
    const path = join(dir, 'impossible-ratio.ckpt');
    writeDeflatedPickleZip(path, deflateRawSync(Buffer.from('tiny')), 60 * 1024 * 1024);
    expect((await errorOf(() => openTorchCheckpoint(path))).message).toContain('more than deflate can (a zip bomb?)');
  });
});

/** A protocol-2 pickle of `levels` nested dicts, each holding the next one twice (keys "a" and "b") through the memo. */
function doublingDicts(levels: number): Uint8Array {
  const parts: (string | number[])[] = ['\x80\x02', '}', 'r', le(0, 4)];
  for (let level = 1; level <= levels; level++) {
    parts.push('}', '(', '\x8c\x01a', 'j', le(level - 1, 4), '\x8c\x01b', 'j', le(level - 1, 4), 'u', 'r', le(level, 4));
  }
  parts.push('.');
  return bytes(...parts);
}

describe('pickles that make the reader work without bound', () => {
  it('refuses nested dicts shared twice per level (2^60 paths in 1 KB) quickly, instead of flattening for ever', { timeout: 60_000 }, async () => {
    const pickle = doublingDicts(60);
    expect(pickle.length).toBeLessThan(1500);
    const path = join(dir, 'doubling.ckpt');
    writeHandZip(path, [{ name: 'archive/data.pkl', data: pickle }]);
    const started = Date.now();
    const error = await errorOf(() => openTorchCheckpoint(path));
    expect(error).toBeInstanceOf(WeightFileError);
    expect(error.message).toContain(`visits more than ${MAX_FLATTENED_ENTRIES} entries`);
    // Bounded work: the budget is hit after about a million visits (the unbounded walk took minutes at 30 levels).
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it('still flattens a dict shared by a few keys, as long as the total stays small', async () => {
    const path = join(dir, 'shared-few.ckpt');
    writeHandZip(path, [{ name: 'archive/data.pkl', data: doublingDicts(3) }]);
    const source = await openTorchCheckpoint(path);
    expect(source.keys()).toEqual([]);
    await source.close();
  });

  it('refuses an integer of a megabyte instead of building it quadratically', () => {
    const pickle = Buffer.concat([Buffer.from([0x80, 2, 0x8b]), Buffer.from(le(1024 * 1024, 4)), Buffer.alloc(1024 * 1024), Buffer.from('.')]);
    expect(() => unpickle(pickle, torchUnpickleOptions('huge-int.pkl'))).toThrow('has a 1048576-byte integer; at most 1024 bytes are read');
  });

  // The defaults (PICKLE_LIMITS) take a second or more to reach; the same rules are proven at a tenth of them.
  const limits = { maxValues: PICKLE_LIMITS.maxValues / 10, maxMemo: PICKLE_LIMITS.maxMemo / 10 };
  const options = (file: string) => ({ ...torchUnpickleOptions(file), limits });

  /** `pushes` values in all: EMPTY_DICT POP, pushes - 1 times, then the dict STOP returns. */
  function pushes(count: number): Uint8Array {
    const pickle = new Uint8Array(2 + 2 * count + 2);
    pickle[0] = 0x80;
    pickle[1] = 2;
    for (let i = 0; i < count - 1; i++) {
      pickle[2 + 2 * i] = 0x7d; // EMPTY_DICT
      pickle[3 + 2 * i] = 0x30; // POP
    }
    pickle[2 * count] = 0x7d;
    pickle[2 * count + 1] = 0x2e;
    return pickle.subarray(0, 2 * count + 2);
  }

  it('refuses more values than the limit, and reads exactly the limit', () => {
    expect(() => unpickle(pushes(limits.maxValues + 1), options('many.pkl'))).toThrow(`builds more than ${limits.maxValues} values`);
    expect(unpickle(pushes(limits.maxValues), options('many.pkl'))).toBeInstanceOf(Map);
  });

  it('refuses more memo slots than the limit', () => {
    const n = limits.maxMemo + 1;
    const pickle = new Uint8Array(3 + 5 * n + 1);
    pickle.set([0x80, 2, 0x7d]);
    const view = new DataView(pickle.buffer);
    for (let i = 0; i < n; i++) {
      pickle[3 + 5 * i] = 0x72; // LONG_BINPUT i
      view.setUint32(3 + 5 * i + 1, i, true);
    }
    pickle[pickle.length - 1] = 0x2e;
    expect(() => unpickle(pickle, options('memo.pkl'))).toThrow(`memoises more than ${limits.maxMemo} values`);
  });

  it('counts references too: a memoised dict pushed again and again is refused past the limit', () => {
    const n = limits.maxValues + 1;
    const pickle = new Uint8Array(5 + 3 * n + 1);
    pickle.set([0x80, 2, 0x7d, 0x71, 0]); // EMPTY_DICT BINPUT 0
    for (let i = 0; i < n; i++) {
      pickle[5 + 3 * i] = 0x68; // BINGET 0
      pickle[6 + 3 * i] = 0;
      pickle[7 + 3 * i] = 0x30; // POP
    }
    pickle[pickle.length - 1] = 0x2e;
    expect(() => unpickle(pickle, options('refs.pkl'))).toThrow(`builds more than ${limits.maxValues} values`);
  });

  it('appends many items in one APPENDS without overflowing the call stack', () => {
    const n = 500_000;
    const pickle = new Uint8Array(2 + 2 + n * 2 + 2);
    pickle.set([0x80, 2, 0x5d, 0x28]); // EMPTY_LIST MARK
    for (let i = 0; i < n; i++) {
      pickle[4 + 2 * i] = 0x4b; // BININT1
      pickle[5 + 2 * i] = i & 0xff;
    }
    pickle[4 + 2 * n] = 0x65; // APPENDS
    pickle[5 + 2 * n] = 0x2e; // STOP
    expect((unpickle(pickle, torchUnpickleOptions('appends.pkl')) as unknown[]).length).toBe(n);
  });
});
