/**
 * An emitter of protocol-2 pickle opcodes with Python's memoisation habits (globals, strings and non-empty
 * tuples memoised with BINPUT, repeats fetched with BINGET), enough to write what `torch.save` writes.
 */
import { OP } from './pickle-opcodes.js';

/** Builds a pickle opcode by opcode; call {@link PickleWriter.finish} after `stop()`. */
export class PickleWriter {
  private readonly out: number[] = [];
  private readonly memo = new Map<string, number>();
  private memoCount = 0;

  private op(code: number): this {
    this.out.push(code);
    return this;
  }

  private le(value: number, bytes: number): this {
    for (let i = 0; i < bytes; i++) this.out.push(Math.floor(value / 2 ** (8 * i)) & 0xff);
    return this;
  }

  private bytes(data: Uint8Array): this {
    for (const b of data) this.out.push(b);
    return this;
  }

  /** Record the top of the stack in the next memo slot. */
  memoize(): this {
    const index = this.memoCount++;
    return index < 256 ? this.op(OP.BINPUT).le(index, 1) : this.op(OP.LONG_BINPUT).le(index, 4);
  }

  private fetch(index: number): this {
    return index < 256 ? this.op(OP.BINGET).le(index, 1) : this.op(OP.LONG_BINGET).le(index, 4);
  }

  private memoized(key: string, emit: () => void): this {
    const index = this.memo.get(key);
    if (index !== undefined) return this.fetch(index);
    emit();
    this.memo.set(key, this.memoCount);
    return this.memoize();
  }

  /** PROTO: the protocol version, first opcode of the stream. */
  proto(version: number): this {
    return this.op(OP.PROTO).le(version, 1);
  }

  /** `module.name` as GLOBAL the first time, BINGET afterwards. */
  global(module: string, name: string): this {
    return this.memoized(`global:${module}\n${name}`, () => {
      this.op(OP.GLOBAL).bytes(new TextEncoder().encode(`${module}\n${name}\n`));
    });
  }

  /** A str as BINUNICODE the first time, BINGET afterwards. */
  string(value: string): this {
    return this.memoized(`str:${value}`, () => {
      const utf8 = new TextEncoder().encode(value);
      this.op(OP.BINUNICODE).le(utf8.length, 4).bytes(utf8);
    });
  }

  /** An int with the smallest opcode that holds it, as Python picks them. */
  int(value: number): this {
    if (!Number.isSafeInteger(value)) throw new RangeError(`pickle int ${value} is not a safe integer`);
    if (value >= 0 && value < 0x100) return this.op(OP.BININT1).le(value, 1);
    if (value >= 0 && value < 0x10000) return this.op(OP.BININT2).le(value, 2);
    if (value >= -0x80000000 && value < 0x80000000) return this.op(OP.BININT).le(value >>> 0, 4);
    let big = BigInt(value);
    const digits: number[] = [];
    while (true) {
      digits.push(Number(big & 0xffn));
      big >>= 8n;
      // Stop once the remaining bits are pure sign extension of the last byte's top bit.
      if ((big === 0n && (digits.at(-1)! & 0x80) === 0) || (big === -1n && (digits.at(-1)! & 0x80) !== 0)) break;
    }
    return this.op(OP.LONG1).le(digits.length, 1).bytes(Uint8Array.from(digits));
  }

  /** NEWTRUE / NEWFALSE. */
  bool(value: boolean): this {
    return this.op(value ? OP.NEWTRUE : OP.NEWFALSE);
  }

  /** NONE. */
  none(): this {
    return this.op(OP.NONE);
  }

  /** MARK: opens a run of items for TUPLE, SETITEMS and the like. */
  mark(): this {
    return this.op(OP.MARK);
  }

  /** A tuple of `count` items emitted by `items`: EMPTY_TUPLE, TUPLE1–3, or MARK … TUPLE; memoised unless empty. */
  tuple(count: number, items: () => void): this {
    if (count === 0) return this.op(OP.EMPTY_TUPLE);
    if (count > 3) this.op(OP.MARK);
    items();
    this.op(count > 3 ? OP.TUPLE : OP.TUPLE1 + count - 1);
    return this.memoize();
  }

  /** A tuple of ints, as torch writes sizes and strides. */
  intTuple(values: readonly number[]): this {
    return this.tuple(values.length, () => values.forEach((v) => this.int(v)));
  }

  /** EMPTY_DICT, memoised as Python does. */
  emptyDict(): this {
    return this.op(OP.EMPTY_DICT).memoize();
  }

  /** REDUCE: call the callable below the argument tuple (the reader resolves it through its allow-list). */
  reduce(): this {
    return this.op(OP.REDUCE);
  }

  /** BINPERSID: the tuple on top is a persistent id (PyTorch's storage references). */
  binpersid(): this {
    return this.op(OP.BINPERSID);
  }

  /** SETITEM: one key/value pair into the dict below. */
  setitem(): this {
    return this.op(OP.SETITEM);
  }

  /** SETITEMS: the pairs since the last MARK into the dict below. */
  setitems(): this {
    return this.op(OP.SETITEMS);
  }

  /** STOP: end of the pickle. */
  stop(): this {
    return this.op(OP.STOP);
  }

  /** The bytes written so far. */
  finish(): Uint8Array {
    return Uint8Array.from(this.out);
  }
}
