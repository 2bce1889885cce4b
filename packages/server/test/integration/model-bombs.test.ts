/**
 * Hostile model files behind a live server: a PIA file that is a zip bomb, and one whose pickle doubles its work per
 * level. The run fails with the file named, the server keeps answering, and the checkpoint opened before it is closed.
 */
import { closeSync, openSync, readFileSync, readdirSync, readlinkSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { crc32, constants, deflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CHECKPOINT } from '@piagraph/nodes-pia';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const EXAMPLE = resolve(import.meta.dirname, '../../../../examples/pia-image-to-video.json');

/** Little-endian bytes of `value`. */
function le(value: number, n: number): Buffer {
  const b = Buffer.alloc(n);
  b.writeUIntLE(value, 0, n);
  return b;
}

/** A zip holding one entry `name`: `data` deflated (or stored), its headers declaring `declaredSize`. */
function writeZip(path: string, name: string, data: Buffer, method: 0 | 8, declaredSize: number): void {
  const n = Buffer.from(name);
  const crc = method === 0 ? crc32(data) : 0;
  const local = Buffer.concat([le(0x04034b50, 4), le(20, 2), le(0, 2), le(method, 2), le(0, 4), le(crc, 4), le(data.length, 4), le(declaredSize, 4), le(n.length, 2), le(0, 2), n]);
  const central = Buffer.concat([
    le(0x02014b50, 4), le(20, 2), le(20, 2), le(0, 2), le(method, 2), le(0, 4), le(crc, 4), le(data.length, 4), le(declaredSize, 4),
    le(n.length, 2), le(0, 2), le(0, 2), le(0, 2), le(0, 2), le(0, 4), le(0, 4), n,
  ]);
  const end = Buffer.concat([le(0x06054b50, 4), le(0, 2), le(0, 2), le(1, 2), le(1, 2), le(central.length, 4), le(local.length + data.length, 4), le(0, 2)]);
  const fd = openSync(path, 'w');
  writeSync(fd, Buffer.concat([local, data, central, end]));
  closeSync(fd);
}

/** ~1 MB of raw deflate that inflates to 1 GiB of zeros (16 MiB blocks ended by a full flush, repeated). */
function gigabyteBomb(): Buffer {
  const block = deflateRawSync(Buffer.alloc(16 * 1024 * 1024), { level: 9, finishFlush: constants.Z_FULL_FLUSH });
  return Buffer.concat([...Array.from({ length: 64 }, () => block), deflateRawSync(Buffer.alloc(0))]);
}

/** 60 nested dicts, each holding the next one under two keys (through the memo): 2^60 paths in about 1 KB. */
function doublingPickle(levels: number): Buffer {
  const parts: Buffer[] = [Buffer.from([0x80, 2, 0x7d, 0x72]), le(0, 4)];
  for (let level = 1; level <= levels; level++) {
    parts.push(Buffer.from([0x7d, 0x28, 0x8c, 1, 0x61, 0x6a]), le(level - 1, 4), Buffer.from([0x8c, 1, 0x62, 0x6a]), le(level - 1, 4), Buffer.from([0x75, 0x72]), le(level, 4));
  }
  parts.push(Buffer.from('.'));
  return Buffer.concat(parts);
}

function openFiles(): string[] {
  return readdirSync('/proc/self/fd').flatMap((fd) => {
    try {
      return [readlinkSync(join('/proc/self/fd', fd))];
    } catch {
      return [];
    }
  });
}

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
  const pia = join(t.dataDir, 'models', 'pia');
  writeZip(join(pia, 'zip-bomb.ckpt'), 'archive/data.pkl', gigabyteBomb(), 8, 1024);
  writeZip(join(pia, 'doubling.ckpt'), 'archive/data.pkl', doublingPickle(60), 0, doublingPickle(60).length);
});
afterAll(() => t.close());

type History = Record<string, { status: { status_str: string; messages: [string, Record<string, unknown>][] } }>;

describe('hostile PIA files behind the server', () => {
  for (const [file, message] of [
    ['zip-bomb.ckpt', 'inflates to more than its declared 1024 bytes'],
    ['doubling.ckpt', 'visits more than 1000000 entries'],
  ] as const) {
    it(`fails the run on ${file} naming it, keeps answering, and leaves no checkpoint handle open`, { timeout: 120_000 }, async () => {
      const doc = JSON.parse(readFileSync(EXAMPLE, 'utf8')) as { nodes: Record<string, { values: Record<string, unknown> }> };
      doc.nodes['1']!.values.pia_name = file;
      doc.nodes['7']!.values.steps = 1;
      const res = await t.postJson('/prompt', { prompt: doc });
      expect(res.status).toBe(200);
      const { prompt_id } = (await res.json()) as { prompt_id: string };
      expect((await t.fetch('/queue')).status).toBe(200);
      await t.server.worker.idle();
      const entry = ((await (await t.fetch(`/history/${prompt_id}`)).json()) as History)[prompt_id]!;
      expect(entry.status.status_str).toBe('error');
      const error = entry.status.messages.find(([type]) => type === 'execution_error')![1];
      expect(error.exception_message).toContain(file);
      expect(error.exception_message).toContain(message);
      expect(openFiles().some((f) => f.endsWith(DEMO_CHECKPOINT))).toBe(false);
    });
  }
});
