import { describe, expect, it } from 'vitest';
import { OutputCache, estimateSizeBytes, hashString, signatureKey, stableStringify, type ApiPrompt } from '../src/index.js';
import { compactKey, indexOfKey, SignatureBuilder } from '../src/cache.js';
import { runLog, testCounter } from './fixtures/test-nodes.js';
import { eventTrace, runCollecting, testExecutor } from './helpers.js';

/** seed → counter → add(+1) → output, plus an independent branch feeding the same add. */
function seedPrompt(seed: number): ApiPrompt {
  return {
    '1': { class_type: 'TestNumber', inputs: { value: 10 } },
    '2': { class_type: 'TestCounter', inputs: { value: ['1', 0] } },
    '3': { class_type: 'TestNumber', inputs: { value: seed } },
    '4': { class_type: 'TestAdd', inputs: { a: ['2', 0], b: ['3', 0] } },
    '5': { class_type: 'TestCounter', inputs: { value: ['4', 0] } },
    '6': { class_type: 'TestOutput', inputs: { value: ['5', 0] } },
  };
}

describe('output cache in the executor', () => {
  it('serves an unchanged prompt entirely from the cache', async () => {
    const executor = testExecutor();
    await executor.run(seedPrompt(1), { promptId: 'a' });
    runLog.length = 0;
    const { result, events } = await runCollecting(executor, seedPrompt(1));
    expect(runLog).toEqual([]);
    // Every node is cached and listed, as ComfyUI lists them; only the output is read from the cache.
    expect([...result.cached].sort()).toEqual(['1', '2', '3', '4', '5', '6']);
    expect(result.outputs).toEqual({ '6': { text: ['11'] } });
    expect(eventTrace(events)).toEqual(['execution_start', 'execution_cached', 'executed:6', 'node_finished:6', 'execution_success']);
    const listed = events[1]!.type === 'execution_cached' ? events[1]!.data.nodes : [];
    expect([...listed].sort()).toEqual(['1', '2', '3', '4', '5', '6']);
  });

  it('re-runs only the changed seed node and what follows it', async () => {
    const executor = testExecutor();
    await executor.run(seedPrompt(1), { promptId: 'a' });
    runLog.length = 0;
    testCounter.runs = 0;
    const { result } = await runCollecting(executor, seedPrompt(2));
    expect(runLog).toEqual(['3', '4', '5', '6']);
    expect(testCounter.runs).toBe(1);
    // 2 is read by 4; 1 is listed too, being cached upstream of it.
    expect(result.cached).toEqual(['1', '2']);
    expect(result.outputs).toEqual({ '6': { text: ['12'] } });
  });

  it('keys results by content, not node ids', async () => {
    const executor = testExecutor();
    await executor.run(seedPrompt(1), { promptId: 'a' });
    runLog.length = 0;
    const renumbered: ApiPrompt = {
      '10': { class_type: 'TestNumber', inputs: { value: 10 } },
      '20': { class_type: 'TestCounter', inputs: { value: ['10', 0] } },
      '30': { class_type: 'TestOutput', inputs: { value: ['20', 0] } },
    };
    const { result } = await runCollecting(executor, renumbered);
    expect(runLog).toEqual(['30']);
    expect(result.cached).toEqual(['10', '20']);
  });

  it("always re-runs a cache: 'never' node and its dependants", async () => {
    const executor = testExecutor();
    const prompt: ApiPrompt = {
      '1': { class_type: 'TestNumber', inputs: { value: 1 } },
      '2': { class_type: 'TestVolatileOutput', inputs: { value: ['1', 0] } },
      '3': { class_type: 'TestOutput', inputs: { value: ['2', 0] } },
    };
    await executor.run(prompt, { promptId: 'a' });
    runLog.length = 0;
    const { result } = await runCollecting(executor, prompt);
    expect(runLog).toEqual(['2', '3']);
    expect(result.cached).toEqual(['1']);
  });

  it('clears every entry on clearCache', async () => {
    const executor = testExecutor();
    await executor.run(seedPrompt(1), { promptId: 'a' });
    executor.clearCache();
    runLog.length = 0;
    await executor.run(seedPrompt(1), { promptId: 'b' });
    expect(runLog).toEqual(['1', '2', '3', '4', '5', '6']);
    expect(executor.cacheStats().entries).toBe(6);
  });

  it('evicts the least recently used results beyond the byte budget', async () => {
    const executor = testExecutor(1000);
    const big = (value: number): ApiPrompt => ({
      '1': { class_type: 'TestBig', inputs: { value, bytes: 400 } },
      '2': { class_type: 'TestVolatileOutput', inputs: { value: ['1', 0] } },
    });
    await executor.run(big(1), { promptId: 'a' });
    await executor.run(big(2), { promptId: 'b' });
    await executor.run(big(3), { promptId: 'c' });
    expect(executor.cacheStats().bytes).toBeLessThanOrEqual(1000);
    runLog.length = 0;
    await executor.run(big(3), { promptId: 'd' });
    expect(runLog).toEqual(['2']);
    runLog.length = 0;
    await executor.run(big(1), { promptId: 'e' });
    expect(runLog).toEqual(['1', '2']);
  });
});

describe('OutputCache', () => {
  it('keeps the most recently read entry when evicting', () => {
    const cache = new OutputCache(300);
    cache.set('a', { outputs: [], sizeBytes: 100 });
    cache.set('b', { outputs: [], sizeBytes: 100 });
    cache.set('c', { outputs: [], sizeBytes: 100 });
    cache.get('a');
    cache.set('d', { outputs: [], sizeBytes: 100 });
    expect(['a', 'b', 'c', 'd'].filter((k) => cache.has(k))).toEqual(['a', 'c', 'd']);
    expect(cache.stats()).toEqual({ entries: 3, bytes: 300, budgetBytes: 300 });
  });

  it('does not keep an entry larger than the whole budget', () => {
    const cache = new OutputCache(100);
    cache.set('small', { outputs: [], sizeBytes: 50 });
    cache.set('huge', { outputs: [], sizeBytes: 101 });
    expect(cache.has('huge')).toBe(false);
    expect(cache.has('small')).toBe(true);
  });

  it('finds keys by their lanes, also when two keys share an index', () => {
    const lanesOf = (n: number): Int32Array => Int32Array.of(n, n * 7, ~n, n ^ 0x5a5a5a5a);
    const byIndex = new Map<number, number>();
    let pair: [number, number] | undefined;
    for (let n = 1; !pair; n++) {
      const index = indexOfKey(compactKey(lanesOf(n), 0));
      const other = byIndex.get(index);
      if (other === undefined) byIndex.set(index, n);
      else pair = [other, n];
    }
    const [first, second] = pair.map(lanesOf) as [Int32Array, Int32Array];
    const cache = new OutputCache();
    cache.set(compactKey(first, 0), { outputs: [1], sizeBytes: 8 });
    expect(cache.hasKeyLanes(second, 0)).toBe(false);
    cache.set(compactKey(second, 0), { outputs: [2], sizeBytes: 8 });
    expect([cache.hasKeyLanes(first, 0), cache.hasKeyLanes(second, 0)]).toEqual([true, true]);
    cache.delete(compactKey(first, 0));
    expect([cache.hasKeyLanes(first, 0), cache.hasKeyLanes(second, 0)]).toEqual([false, true]);
  });

  it('refuses a negative budget', () => {
    expect(() => new OutputCache(-1)).toThrow('cache budget must be a non-negative number of bytes, got -1');
  });
});

describe('signature keys', () => {
  it('do not depend on the order of literal inputs', () => {
    expect(signatureKey('X', { a: 1, b: 2 }, '', [])).toBe(signatureKey('X', { b: 2, a: 1 }, '', []));
  });

  it('change with the class, a literal, the fingerprint or an upstream key', () => {
    const base = signatureKey('X', { a: 1 }, 'f', [{ input: 'm', key: 'k', output: 0 }]);
    expect(signatureKey('Y', { a: 1 }, 'f', [{ input: 'm', key: 'k', output: 0 }])).not.toBe(base);
    expect(signatureKey('X', { a: 2 }, 'f', [{ input: 'm', key: 'k', output: 0 }])).not.toBe(base);
    expect(signatureKey('X', { a: 1 }, 'g', [{ input: 'm', key: 'k', output: 0 }])).not.toBe(base);
    expect(signatureKey('X', { a: 1 }, 'f', [{ input: 'm', key: 'k', output: 1 }])).not.toBe(base);
  });

  it('built from an upstream key\'s lanes equal those built from its string', () => {
    const upstream = Int32Array.of(0x12345678, -1, 0, 0x7fff0001);
    const fromLanes = new Int32Array(4);
    new SignatureBuilder().begin('X', { a: 1 }, 'f').upstreamLanes('m', upstream, 0, 12).writeKey(fromLanes, 0);
    expect(compactKey(fromLanes, 0)).toBe(signatureKey('X', { a: 1 }, 'f', [{ input: 'm', key: compactKey(upstream, 0), output: 12 }]));
  });

  it('hash to 32 hex characters, differently for nearby strings', () => {
    expect(hashString('abc')).toMatch(/^[0-9a-f]{32}$/);
    expect(hashString('abc')).not.toBe(hashString('abd'));
    expect(hashString('')).not.toBe(hashString('\u0000'));
  });

  it('serialise objects with sorted keys', () => {
    expect(stableStringify({ b: [1, { d: 1, c: 2 }], a: 'x' })).toBe('{"a":"x","b":[1,{"c":2,"d":1}]}');
  });

  it('estimate typed arrays by their bytes and primitives as small', () => {
    expect(estimateSizeBytes([new Float32Array(1000)])).toBe(4000);
    expect(estimateSizeBytes([1, true])).toBe(16);
    expect(estimateSizeBytes([{ samples: new Uint8Array(10) }])).toBe(64 + 10);
  });
});
