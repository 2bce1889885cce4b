import { describe, expect, it } from 'vitest';
import { ProtoWriter } from '../../src/onnx/protobuf.js';

/** Expected bytes below are the worked examples of the protobuf encoding guide, or hand-computed 7-bit groups. */
function bytes(write: (w: ProtoWriter) => void): number[] {
  const w = new ProtoWriter();
  write(w);
  return Array.from(w.finish());
}

describe('ProtoWriter', () => {
  it('writes varints in little-endian 7-bit groups with continuation bits', () => {
    expect(bytes((w) => w.varint(0))).toEqual([0x00]);
    expect(bytes((w) => w.varint(127))).toEqual([0x7f]);
    expect(bytes((w) => w.varint(128))).toEqual([0x80, 0x01]);
    expect(bytes((w) => w.varint(300))).toEqual([0xac, 0x02]);
    expect(bytes((w) => w.varint(2 ** 32))).toEqual([0x80, 0x80, 0x80, 0x80, 0x10]);
  });

  it('writes negative int64 values as ten-byte two’s complement varints', () => {
    expect(bytes((w) => w.varint(-1))).toEqual([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    expect(bytes((w) => w.varint(-2n))).toEqual([0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
  });

  it('writes numbers beyond 2^53 through the bigint path', () => {
    expect(bytes((w) => w.varint(2n ** 63n))).toEqual([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]);
  });

  it('encodes an int field with its key (field 1 = 150 → 08 96 01)', () => {
    expect(bytes((w) => w.int(1, 150))).toEqual([0x08, 0x96, 0x01]);
  });

  it('encodes a string field as key, length and UTF-8 (field 2 = "testing")', () => {
    expect(bytes((w) => w.string(2, 'testing'))).toEqual([0x12, 0x07, 0x74, 0x65, 0x73, 0x74, 0x69, 0x6e, 0x67]);
  });

  it('encodes a float field as fixed32 little-endian', () => {
    expect(bytes((w) => w.float(2, 1.5))).toEqual([0x15, 0x00, 0x00, 0xc0, 0x3f]);
  });

  it('packs repeated varints into one length-delimited field (field 4 = [3, 270, 86942])', () => {
    expect(bytes((w) => w.packedInts(4, [3, 270, 86942]))).toEqual([0x22, 0x06, 0x03, 0x8e, 0x02, 0x9e, 0xa7, 0x05]);
  });

  it('packs repeated floats as consecutive fixed32 values', () => {
    expect(bytes((w) => w.packedFloats(7, [1, -2]))).toEqual([0x3a, 0x08, 0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0xc0]);
  });

  it('omits empty packed fields', () => {
    expect(bytes((w) => w.packedInts(1, []).packedFloats(2, []))).toEqual([]);
  });

  it('prefixes a nested message with its length (field 3 = { field 1 = 150 } → 1a 03 08 96 01)', () => {
    expect(bytes((w) => w.message(3, (m) => m.int(1, 150)))).toEqual([0x1a, 0x03, 0x08, 0x96, 0x01]);
  });

  it('keeps large payloads intact across nested messages and reports the right length', () => {
    const payload = Uint8Array.from({ length: 10_000 }, (_, i) => i % 251);
    const w = new ProtoWriter();
    w.int(1, 7).message(2, (m) => m.bytes(9, payload).int(3, 1));
    const out = w.finish();
    // 08 07 | 12 <len 10005 = 95 4e> | 4a <len 10000 = 90 4e> payload | 18 01
    expect(out.length).toBe(2 + 1 + 2 + 1 + 2 + 10_000 + 2);
    expect(Array.from(out.subarray(0, 8))).toEqual([0x08, 0x07, 0x12, 0x95, 0x4e, 0x4a, 0x90, 0x4e]);
    expect(out.subarray(8, 10_008)).toEqual(payload);
    expect(Array.from(out.subarray(10_008))).toEqual([0x18, 0x01]);
  });

  it('rejects a fractional varint', () => {
    expect(() => bytes((w) => w.varint(1.5))).toThrow('varint: 1.5 is not an integer');
  });
});
