/**
 * A minimal protobuf wire-format writer: varints, fixed32 floats, length-delimited fields and packed repeated
 * scalars, into a growable buffer. Hand-written rather than generated because the ONNX writer needs only a
 * dozen field shapes, and because large byte payloads (tensor `raw_data`) must be referenced, not copied, until
 * the one final concatenation.
 */

/** Protobuf wire types used by ONNX. */
export const WireType = { varint: 0, fixed64: 1, bytes: 2, fixed32: 5 } as const;

/** Payloads at least this long are kept by reference instead of being copied into the scratch buffer. */
const REFERENCE_THRESHOLD = 4096;

const utf8 = new TextEncoder();
const scratch = new DataView(new ArrayBuffer(8));

/**
 * Accumulates one protobuf message. Nested messages are written into a child writer whose chunks are spliced
 * into the parent, so a message's length is known before its bytes are placed and nothing large is copied twice.
 */
export class ProtoWriter {
  private readonly chunks: Uint8Array[] = [];
  private flushed = 0;
  private buf = new Uint8Array(256);
  private pos = 0;

  /** Bytes written so far. */
  get length(): number {
    return this.flushed + this.pos;
  }

  private reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n));
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  private flush(): void {
    if (this.pos === 0) return;
    this.chunks.push(this.buf.subarray(0, this.pos));
    this.flushed += this.pos;
    this.buf = new Uint8Array(256);
    this.pos = 0;
  }

  /** Writes an unsigned varint; negative numbers are written as 64-bit two's complement (10 bytes), as int64 requires. */
  varint(value: number | bigint): this {
    if (typeof value === 'number' && value >= 0 && value <= Number.MAX_SAFE_INTEGER) {
      if (!Number.isInteger(value)) throw new RangeError(`varint: ${value} is not an integer`);
      this.reserve(10);
      let v = value;
      while (v >= 0x80) {
        this.buf[this.pos++] = (v % 0x80) | 0x80;
        v = Math.floor(v / 0x80);
      }
      this.buf[this.pos++] = v;
      return this;
    }
    let v = BigInt.asUintN(64, BigInt(value));
    this.reserve(10);
    while (v >= 0x80n) {
      this.buf[this.pos++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buf[this.pos++] = Number(v);
    return this;
  }

  /** Writes a field key. */
  tag(field: number, wire: number): this {
    return this.varint(field * 8 + wire);
  }

  /** Writes raw bytes without a key or length. */
  raw(bytes: Uint8Array): this {
    if (bytes.length >= REFERENCE_THRESHOLD) {
      this.flush();
      this.chunks.push(bytes);
      this.flushed += bytes.length;
      return this;
    }
    this.reserve(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
    return this;
  }

  /** An int64/int32/enum/bool field. */
  int(field: number, value: number | bigint | boolean): this {
    return this.tag(field, WireType.varint).varint(typeof value === 'boolean' ? Number(value) : value);
  }

  /** A `float` field (fixed32, little-endian). */
  float(field: number, value: number): this {
    scratch.setFloat32(0, value, true);
    return this.tag(field, WireType.fixed32).raw(new Uint8Array(scratch.buffer, 0, 4));
  }

  /** A `bytes` field. */
  bytes(field: number, value: Uint8Array): this {
    return this.tag(field, WireType.bytes).varint(value.length).raw(value);
  }

  /** A `string` field (UTF-8). */
  string(field: number, value: string): this {
    return this.bytes(field, utf8.encode(value));
  }

  /** A packed repeated varint field (int64/int32); empty lists are omitted, as proto3 does. */
  packedInts(field: number, values: readonly (number | bigint)[]): this {
    if (values.length === 0) return this;
    const body = new ProtoWriter();
    for (const v of values) body.varint(v);
    return this.tag(field, WireType.bytes).varint(body.length).splice(body);
  }

  /** A packed repeated `float` field. */
  packedFloats(field: number, values: readonly number[]): this {
    if (values.length === 0) return this;
    const body = new Uint8Array(values.length * 4);
    const view = new DataView(body.buffer);
    values.forEach((v, i) => view.setFloat32(i * 4, v, true));
    return this.bytes(field, body);
  }

  /** A nested message field, written by `write` into a child writer. */
  message(field: number, write: (w: ProtoWriter) => void): this {
    const child = new ProtoWriter();
    write(child);
    return this.tag(field, WireType.bytes).varint(child.length).splice(child);
  }

  private splice(child: ProtoWriter): this {
    child.flush();
    this.flush();
    for (const c of child.chunks) this.chunks.push(c);
    this.flushed += child.flushed;
    return this;
  }

  /** The message's bytes, concatenated once. */
  finish(): Uint8Array {
    this.flush();
    if (this.chunks.length === 1) return this.chunks[0]!;
    const out = new Uint8Array(this.flushed);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}
