/**
 * A restricted unpickler: it builds plain data (numbers, strings, lists, tuples, dicts, sets, bytes) and hands
 * every GLOBAL to a caller-supplied resolver. Anything the resolver does not know is refused with an
 * {@link UnsafePickleError} before REDUCE could apply it, and a resolved global is only ever a TypeScript
 * function of the caller's, so no pickle can make this process run code: there is no Python to run it in.
 */
import { UnsafePickleError, WeightFileError } from './errors.js';
import { OP, REFUSED_OPCODES } from './pickle-opcodes.js';

/** A Python callable the resolver allows, reimplemented in TypeScript. */
export interface PickleCallable {
  /** `module.name`, for messages. */
  readonly qualifiedName: string;
  /** What REDUCE and NEWOBJ do with it: build a value from the argument tuple. */
  call(args: readonly unknown[]): unknown;
}

/** What the caller plugs into {@link unpickle}. */
export interface UnpickleOptions {
  /** Name used in error messages, e.g. `model.ckpt/archive/data.pkl`. */
  file: string;
  /** The allow-list: a callable for `module.name`, or `undefined` to refuse it. */
  findGlobal(module: string, name: string): PickleCallable | undefined;
  /** BINPERSID: turn a persistent id into a value (PyTorch uses it for storages). */
  persistentLoad?(pid: unknown): unknown;
  /** BUILD: apply `state` to `target` and return the result, or `undefined` when that object takes no state. */
  build?(target: unknown, state: unknown): unknown;
  /** Tighter (or looser) bounds than {@link PICKLE_LIMITS}. */
  limits?: Partial<PickleLimits>;
}

/** Python tuples come out as frozen arrays, lists as ordinary arrays. */
export function isPickleTuple(value: unknown): value is readonly unknown[] {
  return Array.isArray(value) && Object.isFrozen(value);
}

/**
 * Bounds on what one pickle may make the reader build, whatever its size: every value pushed (a reference to a
 * memoised one counts too, it costs a stack slot), memo slots, and the bytes of one integer. A state dict needs
 * about 20 values and 5 memo slots a tensor (SD 1.5: ~22 000 values for 1 100 tensors), so these leave room for
 * 100 000 tensors, while a hostile pickle is stopped within a second or two and a few hundred megabytes.
 */
export const PICKLE_LIMITS: PickleLimits = Object.freeze({ maxValues: 2_000_000, maxMemo: 1_000_000, maxLongBytes: 1024 });

/** See {@link PICKLE_LIMITS}. */
export interface PickleLimits {
  readonly maxValues: number;
  readonly maxMemo: number;
  readonly maxLongBytes: number;
}

const UTF8 = new TextDecoder('utf-8');
const LATIN1 = new TextDecoder('latin1');

class Unpickler {
  private at = 0;
  private stack: unknown[] = [];
  private readonly marks: number[] = [];
  private readonly memo = new Map<number, unknown>();
  private readonly view: DataView;
  private opStart = 0;
  private values = 0;
  private readonly limits: PickleLimits;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly options: UnpickleOptions,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.limits = { ...PICKLE_LIMITS, ...options.limits };
  }

  private fail(message: string, code: 'corrupt' | 'truncated' | 'unsupported' = 'corrupt'): WeightFileError {
    return new WeightFileError(code, this.options.file, `pickle ${message} (at byte ${this.opStart})`, { details: { position: this.opStart } });
  }

  private need(n: number): number {
    if (this.at + n > this.bytes.length) throw this.fail(`ends in the middle of an opcode: ${n} more bytes needed`, 'truncated');
    const start = this.at;
    this.at += n;
    return start;
  }

  private u8(): number {
    return this.bytes[this.need(1)]!;
  }
  private u16(): number {
    return this.view.getUint16(this.need(2), true);
  }
  private u32(): number {
    return this.view.getUint32(this.need(4), true);
  }
  private u64(): number {
    const value = this.view.getBigUint64(this.need(8), true);
    if (value > BigInt(this.bytes.length)) throw this.fail(`length ${value} exceeds the pickle's size`, 'truncated');
    return Number(value);
  }
  private take(n: number): Uint8Array {
    const start = this.need(n);
    return this.bytes.subarray(start, start + n);
  }
  private text(n: number, latin1 = false): string {
    return (latin1 ? LATIN1 : UTF8).decode(this.take(n));
  }
  private line(): string {
    const end = this.bytes.indexOf(0x0a, this.at);
    if (end < 0) throw this.fail('ends inside a GLOBAL name', 'truncated');
    const s = UTF8.decode(this.bytes.subarray(this.at, end));
    this.at = end + 1;
    return s;
  }

  private push(value: unknown): void {
    if (++this.values > this.limits.maxValues) {
      throw this.fail(`builds more than ${this.limits.maxValues} values (not a state dict?)`, 'unsupported');
    }
    this.stack.push(value);
  }

  private memoSet(index: number, value: unknown): void {
    if (!this.memo.has(index) && this.memo.size >= this.limits.maxMemo) {
      throw this.fail(`memoises more than ${this.limits.maxMemo} values (not a state dict?)`, 'unsupported');
    }
    this.memo.set(index, value);
  }
  private pop(): unknown {
    if (this.stack.length === 0 || this.stack.length <= (this.marks.at(-1) ?? -1)) throw this.fail('pops from an empty stack');
    return this.stack.pop();
  }
  private top(): unknown {
    if (this.stack.length === 0) throw this.fail('reads the top of an empty stack');
    return this.stack[this.stack.length - 1];
  }
  private popMark(): unknown[] {
    const mark = this.marks.pop();
    if (mark === undefined) throw this.fail('closes a MARK that was never opened');
    return this.stack.splice(mark);
  }

  private memoGet(index: number): unknown {
    if (!this.memo.has(index)) throw this.fail(`reads memo slot ${index}, which was never written`);
    return this.memo.get(index);
  }

  private dictOf(value: unknown, op: string): Map<unknown, unknown> {
    if (!(value instanceof Map)) throw this.fail(`${op} applies to a ${describe(value)}, not a dict`);
    return value;
  }

  private listOf(value: unknown, op: string): unknown[] {
    if (!Array.isArray(value) || Object.isFrozen(value)) throw this.fail(`${op} applies to a ${describe(value)}, not a list`);
    return value;
  }

  private global(module: string, name: string): PickleCallable {
    const found = this.options.findGlobal(module, name);
    if (found === undefined) throw new UnsafePickleError(this.options.file, `${module}.${name}`, this.opStart);
    return found;
  }

  private apply(callable: unknown, args: unknown, op: string): unknown {
    if (!isCallable(callable)) throw this.fail(`${op} calls a ${describe(callable)}, which is not an allowed global`);
    if (!Array.isArray(args)) throw this.fail(`${op} passes a ${describe(args)} as arguments, not a tuple`);
    try {
      return callable.call(args);
    } catch (cause) {
      if (cause instanceof WeightFileError) throw cause;
      throw this.fail(`${op} of ${callable.qualifiedName} failed: ${(cause as Error).message}`);
    }
  }

  private long(n: number): number | bigint {
    // Shifting a growing BigInt byte by byte is quadratic: a megabyte-long integer would take minutes.
    if (n > this.limits.maxLongBytes) throw this.fail(`has a ${n}-byte integer; at most ${this.limits.maxLongBytes} bytes are read`, 'unsupported');
    const bytes = this.take(n);
    let value = 0n;
    for (let i = n - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[i]!);
    if (n > 0 && (bytes[n - 1]! & 0x80) !== 0) value -= 1n << BigInt(8 * n);
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
  }

  run(): unknown {
    while (this.at < this.bytes.length) {
      this.opStart = this.at;
      const op = this.u8();
      if (op === OP.STOP) {
        if (this.marks.length > 0) throw this.fail('stops with a MARK still open');
        return this.pop();
      }
      this.step(op);
    }
    throw this.fail('ends without a STOP opcode', 'truncated');
  }

  private step(op: number): void {
    switch (op) {
      case OP.PROTO: {
        const version = this.u8();
        if (version > 5) throw this.fail(`uses protocol ${version}; protocols up to 5 are read`, 'unsupported');
        return;
      }
      case OP.FRAME:
        this.u64();
        return;
      case OP.MARK:
        this.marks.push(this.stack.length);
        return;
      case OP.POP:
        this.pop();
        return;
      case OP.POP_MARK:
        this.popMark();
        return;
      case OP.DUP:
        return this.push(this.top());
      case OP.NONE:
        return this.push(null);
      case OP.NEWTRUE:
        return this.push(true);
      case OP.NEWFALSE:
        return this.push(false);
      case OP.BININT:
        return this.push(this.view.getInt32(this.need(4), true));
      case OP.BININT1:
        return this.push(this.u8());
      case OP.BININT2:
        return this.push(this.u16());
      case OP.LONG1:
        return this.push(this.long(this.u8()));
      case OP.LONG4:
        return this.push(this.long(this.u32()));
      case OP.BINFLOAT:
        return this.push(this.view.getFloat64(this.need(8), false));
      case OP.BINUNICODE:
        return this.push(this.text(this.u32()));
      case OP.SHORT_BINUNICODE:
        return this.push(this.text(this.u8()));
      case OP.BINUNICODE8:
        return this.push(this.text(this.u64()));
      case OP.BINSTRING:
        return this.push(this.text(this.u32(), true));
      case OP.SHORT_BINSTRING:
        return this.push(this.text(this.u8(), true));
      case OP.BINBYTES:
        return this.push(this.take(this.u32()).slice());
      case OP.SHORT_BINBYTES:
        return this.push(this.take(this.u8()).slice());
      case OP.BINBYTES8:
      case OP.BYTEARRAY8:
        return this.push(this.take(this.u64()).slice());
      case OP.EMPTY_DICT:
        return this.push(new Map());
      case OP.EMPTY_LIST:
        return this.push([]);
      case OP.EMPTY_TUPLE:
        return this.push(Object.freeze([]));
      case OP.EMPTY_SET:
        return this.push(new Set());
      case OP.TUPLE:
        return this.push(Object.freeze(this.popMark()));
      case OP.TUPLE1:
      case OP.TUPLE2:
      case OP.TUPLE3: {
        const n = op - OP.TUPLE1 + 1;
        const items: unknown[] = [];
        for (let i = 0; i < n; i++) items.unshift(this.pop());
        return this.push(Object.freeze(items));
      }
      case OP.LIST:
        return this.push(this.popMark());
      case OP.DICT:
        return this.push(this.pairsInto(new Map(), this.popMark(), 'DICT'));
      case OP.FROZENSET:
        return this.push(new Set(this.popMark()));
      case OP.APPEND: {
        const item = this.pop();
        this.listOf(this.top(), 'APPEND').push(item);
        return;
      }
      case OP.APPENDS: {
        const items = this.popMark();
        const list = this.listOf(this.top(), 'APPENDS');
        // Not push(...items): spreading a million items overflows the call stack.
        for (const item of items) list.push(item);
        return;
      }
      case OP.SETITEM: {
        const value = this.pop();
        const key = this.pop();
        this.dictOf(this.top(), 'SETITEM').set(key, value);
        return;
      }
      case OP.SETITEMS: {
        const items = this.popMark();
        this.pairsInto(this.dictOf(this.top(), 'SETITEMS'), items, 'SETITEMS');
        return;
      }
      case OP.ADDITEMS: {
        const items = this.popMark();
        const set = this.top();
        if (!(set instanceof Set)) throw this.fail(`ADDITEMS applies to a ${describe(set)}, not a set`);
        for (const item of items) set.add(item);
        return;
      }
      case OP.BINPUT:
        this.memoSet(this.u8(), this.top());
        return;
      case OP.LONG_BINPUT:
        this.memoSet(this.u32(), this.top());
        return;
      case OP.MEMOIZE:
        this.memoSet(this.memo.size, this.top());
        return;
      case OP.BINGET:
        return this.push(this.memoGet(this.u8()));
      case OP.LONG_BINGET:
        return this.push(this.memoGet(this.u32()));
      case OP.GLOBAL: {
        const module = this.line();
        return this.push(this.global(module, this.line()));
      }
      case OP.STACK_GLOBAL: {
        const name = this.pop();
        const module = this.pop();
        if (typeof module !== 'string' || typeof name !== 'string') throw this.fail('STACK_GLOBAL needs two strings');
        return this.push(this.global(module, name));
      }
      case OP.REDUCE: {
        const args = this.pop();
        const callable = this.pop();
        return this.push(this.apply(callable, args, 'REDUCE'));
      }
      case OP.NEWOBJ: {
        const args = this.pop();
        const cls = this.pop();
        return this.push(this.apply(cls, args, 'NEWOBJ'));
      }
      case OP.NEWOBJ_EX: {
        const kwargs = this.pop();
        const args = this.pop();
        const cls = this.pop();
        if (!(kwargs instanceof Map) || kwargs.size > 0) throw this.fail('NEWOBJ_EX with keyword arguments is not supported', 'unsupported');
        return this.push(this.apply(cls, args, 'NEWOBJ_EX'));
      }
      case OP.BUILD: {
        const state = this.pop();
        const target = this.pop();
        const built = this.options.build?.(target, state);
        if (built === undefined) throw this.fail(`BUILD on a ${describe(target)} is not supported`, 'unsupported');
        return this.push(built);
      }
      case OP.BINPERSID: {
        const pid = this.pop();
        if (this.options.persistentLoad === undefined) throw this.fail('uses a persistent id, which this reader does not resolve', 'unsupported');
        return this.push(this.options.persistentLoad(pid));
      }
      default: {
        const name = REFUSED_OPCODES[op];
        const hex = `0x${op.toString(16).padStart(2, '0')}`;
        if (name !== undefined) throw this.fail(`opcode ${name} (${hex}) is not supported`, 'unsupported');
        throw this.fail(`has an unknown opcode ${hex}`);
      }
    }
  }

  private pairsInto(dict: Map<unknown, unknown>, items: unknown[], op: string): Map<unknown, unknown> {
    if (items.length % 2 !== 0) throw this.fail(`${op} has an odd number of items`);
    for (let i = 0; i < items.length; i += 2) dict.set(items[i], items[i + 1]);
    return dict;
  }
}

function isCallable(value: unknown): value is PickleCallable {
  return typeof value === 'object' && value !== null && typeof (value as PickleCallable).call === 'function' && 'qualifiedName' in value;
}

function describe(value: unknown): string {
  if (value === null) return 'None';
  if (isCallable(value)) return `global ${value.qualifiedName}`;
  if (value instanceof Map) return 'dict';
  if (Array.isArray(value)) return Object.isFrozen(value) ? 'tuple' : 'list';
  if (value instanceof Uint8Array) return 'bytes';
  return typeof value === 'object' ? (value.constructor?.name ?? 'object') : typeof value;
}

/**
 * Decode a pickle (protocols 2–5, the binary opcodes a state dict uses) into plain data, resolving globals only
 * through `options.findGlobal`.
 */
export function unpickle(bytes: Uint8Array, options: UnpickleOptions): unknown {
  return new Unpickler(bytes, options).run();
}
