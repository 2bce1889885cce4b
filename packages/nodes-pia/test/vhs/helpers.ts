/** Running one node's `run` of a real pack (for nodes whose outputs are numbers and batches, not files). */
import type { AnyNodeDefinition, RunContext } from '@piagraph/graph-core';
import type { PiaPack } from '../../src/pack.js';

/** Runs `classType`'s `run` with `inputs` as the executor would hand them over; returns its outputs. */
export async function runNode(pack: PiaPack, classType: string, inputs: Record<string, unknown>): Promise<unknown[]> {
  const node = pack.nodes.find((n: AnyNodeDefinition) => n.classType === classType);
  if (!node) throw new Error(`no node ${classType}`);
  const ctx: RunContext = {
    promptId: 'test',
    nodeId: '1',
    classType,
    prompt: {},
    extraData: {},
    signal: new AbortController().signal,
    progress: () => undefined,
    text: () => undefined,
  };
  const result = await node.run(inputs, ctx);
  return result.outputs as unknown[];
}
