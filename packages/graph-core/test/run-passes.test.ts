/**
 * Runs of several passes (`ctx.passes`): a source hands out the next chunk of a list each pass and asks for another
 * while items remain; the run repeats the prompt, reports as one prompt, and disposes what the nodes kept when it ends.
 */
import { describe, expect, it } from 'vitest';
import { defineNode, Executor, NodeRegistry, type ApiPrompt, type RunStatus } from '../src/index.js';
import { runCollecting, eventTrace } from './helpers.js';
import { runLog, resetTestNodes, testNodes } from './fixtures/test-nodes.js';

/** What each chunk source kept was disposed with, in order. */
let disposed: Array<{ key: string; status: RunStatus }> = [];

/** Items 0 … total−1 handed out `per` at a time, one chunk per pass; re-runs every pass (`cache: 'never'`). */
const TestChunks = defineNode({
  classType: 'TestChunks',
  category: 'test',
  cache: 'never',
  inputs: { required: { total: { type: 'INT', default: 10 }, per: { type: 'INT', default: 4 }, offset: { type: 'INT', default: 0 } } },
  outputs: [{ type: 'INT', name: 'first' }, { type: 'INT', name: 'count' }],
  run({ total, per, offset }, ctx) {
    const passes = ctx.passes!;
    const key = `chunks:${ctx.nodeId}`;
    const cursor = passes.keep(key, () => ({ next: 0 }), (_value, status) => void disposed.push({ key, status }));
    const first = cursor.next;
    const count = Math.min(per, total - first);
    cursor.next += count;
    if (cursor.next < total) passes.again();
    return { outputs: [first + offset, count] };
  },
});

/** An output node listing the items of its chunk; fails when the chunk reaches `failAt`. */
const TestChunkList = defineNode({
  classType: 'TestChunkList',
  category: 'test',
  outputNode: true,
  inputs: { required: { first: { type: 'INT' }, count: { type: 'INT' }, failAt: { type: 'INT', default: -1 } } },
  outputs: [],
  run({ first, count, failAt }, ctx) {
    const items = Array.from({ length: count }, (_, i) => first + i);
    if (items.includes(failAt)) throw new Error(`item ${failAt} is bad`);
    return { outputs: [], ui: { items, pass: [ctx.passes!.index] } };
  },
});

function executor(): Executor {
  resetTestNodes();
  disposed = [];
  return new Executor(new NodeRegistry().register(...testNodes, TestChunks, TestChunkList));
}

const chunked = (total: number, per: number, failAt = -1): ApiPrompt => ({
  '1': { class_type: 'TestNumber', inputs: { value: 100 } },
  '2': { class_type: 'TestChunks', inputs: { total, per, offset: ['1', 0] } },
  '3': { class_type: 'TestChunkList', inputs: { first: ['2', 0], count: ['2', 1], failAt } },
});

describe('runs of several passes', () => {
  it('repeats the prompt until no node asks for another pass, gathering every pass\'s outputs in order', async () => {
    const { result } = await runCollecting(executor(), chunked(10, 4));
    expect(result.status).toBe('success');
    expect(result.passes).toBe(3);
    // 10 items by 4: 100–103, 104–107, 108–109 (offset 100 from the cached number).
    expect(result.outputs['3']).toEqual({ items: Array.from({ length: 10 }, (_, i) => 100 + i), pass: [0, 1, 2] });
    expect(result.executed).toEqual(['1', '2', '3']);
    // The number ran once: the later passes were served it from the cache.
    expect(runLog).toEqual(['1']);
    expect(disposed).toEqual([{ key: 'chunks:2', status: 'success' }]);
  });

  it('reports one prompt: one start, one cached list, the nodes of each pass, one success', async () => {
    const { events } = await runCollecting(executor(), chunked(6, 4));
    expect(eventTrace(events).filter((e) => !e.startsWith('node_finished'))).toEqual([
      'execution_start',
      'execution_cached',
      'executing:1',
      'executing:2',
      'executing:3',
      'executed:3',
      // Pass 2: the number comes from the cache.
      'executing:2',
      'executing:3',
      'executed:3',
      'execution_success',
    ]);
    expect(events.filter((e) => e.type === 'execution_start' || e.type === 'execution_success').map((e) => e.data.prompt_id)).toEqual(['p1', 'p1']);
  });

  it('is a plain single pass, without `passes`, when nobody asks for another', async () => {
    const { result } = await runCollecting(executor(), chunked(3, 4));
    expect(result.status).toBe('success');
    expect('passes' in result).toBe(false);
    expect(result.outputs['3']).toEqual({ items: [100, 101, 102], pass: [0] });
    expect(disposed).toEqual([{ key: 'chunks:2', status: 'success' }]);
  });

  it('stops at a failing pass, reports its error once, keeps the earlier outputs and disposes with "error"', async () => {
    const { result, events } = await runCollecting(executor(), chunked(12, 4, 105));
    expect(result.status).toBe('error');
    expect(result.passes).toBe(2);
    expect(result.error?.exception_message).toBe('item 105 is bad');
    expect(result.outputs['3']).toEqual({ items: [100, 101, 102, 103], pass: [0] });
    const trace = eventTrace(events);
    expect(trace.filter((e) => e.startsWith('execution_'))).toEqual(['execution_start', 'execution_cached', 'execution_error']);
    expect(disposed).toEqual([{ key: 'chunks:2', status: 'error' }]);
  });

  it('stops when interrupted between passes and disposes with "interrupted"', async () => {
    const controller = new AbortController();
    const { result, events } = await runCollecting(executor(), chunked(12, 4), {
      signal: controller.signal,
      // The first chunk's list is out: interrupt before the second pass starts.
      onEvent: (e) => void (e.type === 'executed' && controller.abort()),
    });
    expect(result.status).toBe('interrupted');
    expect(result.outputs['3']).toEqual({ items: [100, 101, 102, 103], pass: [0] });
    expect(eventTrace(events).filter((e) => e.startsWith('execution_'))).toEqual(['execution_start', 'execution_cached', 'execution_interrupted']);
    expect(disposed).toEqual([{ key: 'chunks:2', status: 'interrupted' }]);
  });

  it('keeps one value per key for a run and a fresh one for the next run', async () => {
    const exec = executor();
    const first = await exec.run(chunked(5, 4), { promptId: 'a' });
    const second = await exec.run(chunked(5, 4), { promptId: 'b' });
    expect(first.outputs['3']!['items']).toEqual([100, 101, 102, 103, 104]);
    expect(second.outputs['3']!['items']).toEqual([100, 101, 102, 103, 104]);
    expect(disposed.map((d) => d.status)).toEqual(['success', 'success']);
  });
});
