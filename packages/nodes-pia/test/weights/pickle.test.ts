import { describe, expect, it } from 'vitest';
import { UnsafePickleError, WeightFileError } from '../../src/weights/errors.js';
import { isPickleTuple, unpickle, type UnpickleOptions } from '../../src/weights/pickle.js';
import { PickleWriter } from '../../src/weights/pickle-write.js';
import { torchUnpickleOptions } from '../../src/weights/torch-pickle.js';
import { bytes, f64be, le } from './helpers.js';

/** Plain-data options: no globals allowed at all. */
const plain: UnpickleOptions = { file: 'test.pkl', findGlobal: () => undefined };

/** BINUNICODE: 'X', u32 length, UTF-8. */
const X = (s: string): Uint8Array => bytes('X', le(Buffer.byteLength(s), 4), Buffer.from(s, 'utf8'));

function load(...parts: Parameters<typeof bytes>): unknown {
  return unpickle(bytes(...parts), plain);
}

function errorOfSync(fn: () => unknown): WeightFileError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(WeightFileError);
    return error as WeightFileError;
  }
  throw new Error('expected an error');
}

describe('unpickling plain data (opcodes assembled by hand from the pickle spec)', () => {
  it('reads a protocol-2 dict of ints of every width, floats, strings, booleans and None', () => {
    const value = load(
      '\x80\x02}q\x00(',
      X('byte'), 'K\xff',
      X('short'), 'M', le(0xbeef, 2),
      X('int'), 'J', le(0xfffffff6, 4),
      X('long'), '\x8a\x06', le(2n ** 40n, 6),
      X('neg'), '\x8a\x01\x80',
      X('huge'), '\x8a\x09', le(2n ** 64n, 9),
      X('float'), 'G', f64be(-1.25),
      X('yes'), '\x88', X('no'), '\x89', X('none'), 'N',
      X('ünï'), X('€'),
      'u.',
    );
    expect(value).toEqual(
      new Map<string, unknown>([
        ['byte', 255],
        ['short', 0xbeef],
        ['int', -10],
        ['long', 2 ** 40],
        ['neg', -128],
        ['huge', 2n ** 64n],
        ['float', -1.25],
        ['yes', true],
        ['no', false],
        ['none', null],
        ['ünï', '€'],
      ]),
    );
  });

  it('builds tuples with TUPLE1-3, MARK…TUPLE and EMPTY_TUPLE as frozen arrays, lists as plain arrays', () => {
    const value = load('\x80\x02(K\x01\x85K\x01K\x02\x86K\x01K\x02K\x03\x87(K\x01K\x02K\x03K\x04t)]K\x05a](K\x06K\x07el.') as unknown[];
    expect(value).toEqual([[1], [1, 2], [1, 2, 3], [1, 2, 3, 4], [], [5], [6, 7]]);
    expect(value.slice(0, 5).every((v) => isPickleTuple(v))).toBe(true);
    expect(isPickleTuple(value[5])).toBe(false);
    expect(isPickleTuple(value)).toBe(false);
  });

  it('shares memoised objects through BINPUT/BINGET and LONG_BINPUT/LONG_BINGET', () => {
    const value = load('\x80\x02]q\x07', 'r', le(300, 4), '(h\x07j', le(300, 4), 'e.') as unknown[];
    expect(value.length).toBe(2);
    expect(value[0]).toBe(value);
    expect(value[1]).toBe(value);
  });

  it('reads protocol 4 with FRAME, SHORT_BINUNICODE, MEMOIZE and SETITEM', () => {
    const body = bytes('}\x94\x8c\x01k\x94\x8c\x02v1\x94s\x8c\x02k2\x94h\x02s.');
    expect(unpickle(bytes('\x80\x04\x95', le(body.length, 8), body), plain)).toEqual(
      new Map([
        ['k', 'v1'],
        ['k2', 'v1'],
      ]),
    );
  });

  it('reads bytes from SHORT_BINBYTES and BINBYTES', () => {
    expect(load('\x80\x03(C\x02\x01\x02B', le(1, 4), '\xffl.')).toEqual([Uint8Array.of(1, 2), Uint8Array.of(255)]);
  });

  it('decodes what PickleWriter emits for each kind of value', () => {
    const w = new PickleWriter().proto(2).mark();
    w.int(0).int(255).int(256).int(65535).int(65536).int(-1).int(2 ** 31 - 1).int(-(2 ** 31)).int(2 ** 31).int(-(2 ** 31) - 1).int(2 ** 53 - 1);
    w.string('a').string('a').bool(true).none().intTuple([]).intTuple([7]).intTuple([1, 2, 3, 4]);
    // PickleWriter has no LIST opcode (torch.save needs none), so the list is closed by hand.
    const value = unpickle(bytes(w.finish(), 'l.'), plain);
    expect(value).toEqual([0, 255, 256, 65535, 65536, -1, 2 ** 31 - 1, -(2 ** 31), 2 ** 31, -(2 ** 31) - 1, 2 ** 53 - 1, 'a', 'a', true, null, [], [7], [1, 2, 3, 4]]);
  });
});

describe('refusing unsafe or broken pickles', () => {
  it('refuses os.system reached through GLOBAL before REDUCE could call it', () => {
    const malicious = bytes('\x80\x02cos\nsystem\nq\x00', X('touch /tmp/pwned'), '\x85R.');
    const error = errorOfSync(() => unpickle(malicious, torchUnpickleOptions('evil.ckpt')));
    expect(error).toBeInstanceOf(UnsafePickleError);
    expect((error as UnsafePickleError).global).toBe('os.system');
    expect(error.message).toBe(
      'evil.ckpt: pickle refers to the global "os.system" (at byte 2), which is not on the allow-list of tensor-rebuilding globals; ' +
        'the checkpoint was refused and nothing in it was run (convert it to .safetensors if you trust it)',
    );
  });

  it.each([
    ['builtins', 'eval'],
    ['posix', 'system'],
    ['subprocess', 'Popen'],
    ['torch', 'load'],
    ['collections', 'defaultdict'],
  ])('refuses %s.%s reached through STACK_GLOBAL', (module, name) => {
    const error = errorOfSync(() => unpickle(bytes('\x80\x04', '\x8c', [module.length], module, '\x8c', [name.length], name, '\x93)R.'), torchUnpickleOptions('x.ckpt')));
    expect(error).toBeInstanceOf(UnsafePickleError);
    expect(error.message).toContain(`the global "${module}.${name}"`);
  });

  it('refuses the text-mode INST opcode by name', () => {
    expect(errorOfSync(() => load('\x80\x02(ios\nsystem\n.')).message).toBe('test.pkl: pickle opcode INST (0x69) is not supported (at byte 3)');
  });

  it('refuses the extension registry opcode EXT1 by name', () => {
    expect(errorOfSync(() => load('\x80\x02\x82\x01.')).message).toContain('opcode EXT1 (0x82) is not supported');
  });

  it('refuses an unknown opcode', () => {
    expect(errorOfSync(() => load('\x80\x02\xff.')).message).toContain('has an unknown opcode 0xff');
  });

  it('refuses a protocol newer than 5', () => {
    expect(errorOfSync(() => load('\x80\x06N.')).message).toContain('uses protocol 6; protocols up to 5 are read');
  });

  it('reports a pickle without STOP as truncated', () => {
    const error = errorOfSync(() => load('\x80\x02]K\x01a'));
    expect(error.code).toBe('truncated');
    expect(error.message).toContain('ends without a STOP opcode');
  });

  it('reports a string cut short as truncated', () => {
    expect(errorOfSync(() => load('\x80\x02X', le(10, 4), 'abc')).message).toContain('ends in the middle of an opcode: 10 more bytes needed');
  });

  it('refuses a read of a memo slot that was never written', () => {
    expect(errorOfSync(() => load('\x80\x02h\x05.')).message).toContain('reads memo slot 5, which was never written');
  });

  it('refuses REDUCE on something that is not an allowed global', () => {
    expect(errorOfSync(() => load('\x80\x02', X('print'), ')R.')).message).toContain('REDUCE calls a string, which is not an allowed global');
  });

  it('refuses popping through a MARK', () => {
    expect(errorOfSync(() => load('\x80\x02(0.')).message).toContain('pops from an empty stack');
  });

  it('refuses SETITEMS with an odd number of items', () => {
    expect(errorOfSync(() => load('\x80\x02}(K\x01u.')).message).toContain('SETITEMS has an odd number of items');
  });

  it('refuses APPEND onto a tuple', () => {
    expect(errorOfSync(() => load('\x80\x02)K\x01a.')).message).toContain('APPEND applies to a tuple, not a list');
  });

  it('refuses BUILD without a handler for the object', () => {
    expect(errorOfSync(() => load('\x80\x02]}b.')).message).toContain('BUILD on a list is not supported');
  });

  it('refuses a persistent id when no loader is given', () => {
    expect(errorOfSync(() => load('\x80\x02N', 'Q.')).message).toContain('uses a persistent id, which this reader does not resolve');
  });
});
