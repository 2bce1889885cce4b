/**
 * A minimal protobuf wire-format reader: walks the fields of one message without decoding what the caller does not
 * ask for, so a model file's graph can be scanned (and parts of it copied verbatim) without a generated schema.
 */

/** One field of a message: its number, wire type and where its payload lies in the buffer. */
export interface ProtoField {
  readonly field: number;
  readonly wire: number;
  /** Byte range of the whole field, key included (to copy it unchanged). */
  readonly start: number;
  readonly end: number;
  /** Varint value (wire type 0). */
  readonly varint?: bigint;
  /** Payload range of a length-delimited field (wire type 2). */
  readonly body?: { readonly start: number; readonly end: number };
}

/** A malformed protobuf message; `at` is the byte where reading failed. */
export class ProtoReadError extends Error {
  override readonly name = 'ProtoReadError';
  constructor(
    message: string,
    readonly at: number,
  ) {
    super(`${message} at byte ${at}`);
  }
}

function readVarint(buf: Uint8Array, at: number, limit: number): { value: bigint; next: number } {
  let value = 0n;
  let shift = 0n;
  let i = at;
  for (;;) {
    if (i >= limit) throw new ProtoReadError('truncated varint', at);
    const b = buf[i++]!;
    value |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) return { value, next: i };
    shift += 7n;
    if (shift > 63n) throw new ProtoReadError('varint longer than 10 bytes', at);
  }
}

/** The fields of the message occupying `buf[start, end)`, in stored order. */
export function* protoFields(buf: Uint8Array, start = 0, end = buf.length): Generator<ProtoField> {
  let at = start;
  while (at < end) {
    const fieldStart = at;
    const key = readVarint(buf, at, end);
    at = key.next;
    const field = Number(key.value >> 3n);
    const wire = Number(key.value & 7n);
    switch (wire) {
      case 0: {
        const v = readVarint(buf, at, end);
        at = v.next;
        yield { field, wire, start: fieldStart, end: at, varint: v.value };
        break;
      }
      case 1:
        at += 8;
        if (at > end) throw new ProtoReadError('truncated fixed64', fieldStart);
        yield { field, wire, start: fieldStart, end: at };
        break;
      case 2: {
        const len = readVarint(buf, at, end);
        const bodyStart = len.next;
        const bodyEnd = bodyStart + Number(len.value);
        if (bodyEnd > end) throw new ProtoReadError(`field ${field} runs past its message`, fieldStart);
        at = bodyEnd;
        yield { field, wire, start: fieldStart, end: at, body: { start: bodyStart, end: bodyEnd } };
        break;
      }
      case 5:
        at += 4;
        if (at > end) throw new ProtoReadError('truncated fixed32', fieldStart);
        yield { field, wire, start: fieldStart, end: at };
        break;
      default:
        throw new ProtoReadError(`unsupported wire type ${wire} (field ${field})`, fieldStart);
    }
  }
}

const utf8 = new TextDecoder();

/** The UTF-8 text of a length-delimited field. */
export function fieldText(buf: Uint8Array, f: ProtoField): string {
  if (!f.body) throw new ProtoReadError(`field ${f.field} is not length-delimited`, f.start);
  return utf8.decode(buf.subarray(f.body.start, f.body.end));
}

/** The varints of a repeated integer field, packed or not. */
export function fieldInts(buf: Uint8Array, f: ProtoField): number[] {
  if (f.varint !== undefined) return [Number(BigInt.asIntN(64, f.varint))];
  if (!f.body) throw new ProtoReadError(`field ${f.field} is neither a varint nor packed`, f.start);
  const out: number[] = [];
  let at = f.body.start;
  while (at < f.body.end) {
    const v = readVarint(buf, at, f.body.end);
    out.push(Number(BigInt.asIntN(64, v.value)));
    at = v.next;
  }
  return out;
}
