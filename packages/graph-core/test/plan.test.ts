import { describe, expect, it } from 'vitest';
import { analysePrompt, GraphCycleError, OutputCache, planExecution, walkUpstream, type ApiPrompt } from '../src/index.js';
import { testRegistry } from './helpers.js';

const registry = testRegistry();

async function plan(prompt: ApiPrompt, outputs?: string[]) {
  const analysis = await analysePrompt(registry, prompt, outputs ? { outputs } : {});
  if (!analysis.result.ok) throw new Error(JSON.stringify(analysis.result));
  return planExecution(analysis.nodes, analysis.result.outputs, new OutputCache());
}

/** An output cache holding an empty result for each of `keys`. */
function cacheHolding(keys: readonly string[]): OutputCache {
  const cache = new OutputCache();
  for (const key of keys) cache.set(key, { outputs: [], sizeBytes: 0 });
  return cache;
}

/** a(1), b(2) → add(3) → out(4); c(5) → out(6); d(7) unused. */
const diamond: ApiPrompt = {
  '1': { class_type: 'TestNumber', inputs: { value: 1 } },
  '2': { class_type: 'TestNumber', inputs: { value: 2 } },
  '3': { class_type: 'TestAdd', inputs: { a: ['1', 0], b: ['2', 0] } },
  '4': { class_type: 'TestOutput', inputs: { value: ['3', 0] } },
  '5': { class_type: 'TestString', inputs: { text: 'c' } },
  '6': { class_type: 'TestOutput', inputs: { value: ['5', 0] } },
  '7': { class_type: 'TestNumber', inputs: { value: 7 } },
};

describe('planExecution', () => {
  it('orders every node after the nodes it reads from, outputs as early as possible', async () => {
    expect((await plan(diamond)).order).toEqual(['1', '2', '3', '4', '5', '6']);
  });

  it('plans only ancestors of the requested outputs', async () => {
    expect((await plan(diamond, ['6'])).order).toEqual(['5', '6']);
  });

  it('groups independent nodes into levels', async () => {
    expect((await plan(diamond)).levels).toEqual([['1', '2', '5'], ['3', '6'], ['4']]);
  });

  it('counts the consumers of each node', async () => {
    const p = await plan({ ...diamond, '8': { class_type: 'TestOutput', inputs: { value: ['1', 0] } } });
    expect(p.consumers.get('1')).toBe(2);
    expect(p.consumers.get('3')).toBe(1);
  });

  it('stops at cached nodes without visiting their ancestors', async () => {
    const analysis = await analysePrompt(registry, diamond);
    if (!analysis.result.ok) throw new Error('invalid');
    const first = await planExecution(analysis.nodes, analysis.result.outputs);
    const second = await planExecution(analysis.nodes, analysis.result.outputs, cacheHolding([first.keys.get('3')!]));
    expect(second.served).toEqual(['3']);
    expect(second.order).toEqual(['4', '5', '6']);
  });

  it('lists the cached nodes upstream of a served node as cached, without serving them', async () => {
    const analysis = await analysePrompt(registry, diamond);
    if (!analysis.result.ok) throw new Error('invalid');
    const first = await planExecution(analysis.nodes, analysis.result.outputs);
    // 1, 2 and 3 ran before; 3 is what 4 reads, so 1 and 2 are cached but not needed.
    const second = await planExecution(analysis.nodes, analysis.result.outputs, cacheHolding(['1', '2', '3'].map((id) => first.keys.get(id)!)));
    expect(second.cached).toEqual(['1', '2', '3']);
    expect(second.served).toEqual(['3']);
  });

  it('lists no cached nodes and runs every ancestor when the cache holds none of them', async () => {
    const p = await plan(diamond);
    expect(p.cached).toEqual([]);
    expect(p.served).toEqual([]);
    expect(p.order).toEqual(['1', '2', '3', '4', '5', '6']);
  });

  it('throws GraphCycleError naming the nodes of a cycle', async () => {
    const nodes = new Map([
      ['a', { deps: ['b'] }],
      ['b', { deps: ['a'] }],
    ]) as unknown as Parameters<typeof planExecution>[0];
    await expect(planExecution(nodes, ['a'])).rejects.toThrow(GraphCycleError);
    await expect(planExecution(nodes, ['a'])).rejects.toThrow('dependency cycle through nodes a -> b -> a');
  });
});

describe('walkUpstream', () => {
  it('walks a 100,000-node chain without overflowing the stack', () => {
    const deps = (id: string): string[] => (Number(id) > 0 ? [String(Number(id) - 1)] : []);
    const walk = walkUpstream(['99999'], deps);
    expect(walk.order).toHaveLength(100000);
    expect(walk.order[0]).toBe('0');
  });
});
