import type { AnyNodeDefinition, GraphDocument } from '@piagraph/graph-core';
import { e2eNodes } from './nodes.js';

/**
 * What the end-to-end tests run: the node pack the server registers and the graph they queue. This is the one
 * place to change when the PIA nodes and their tiny demo model replace the e2e pack (register `piaNodes: true`,
 * load `examples/pia-image-to-video.json`, and name its sampler and output nodes).
 */
export interface Scenario {
  /** Extra node definitions for the server; the PIA pack stays off while this pack stands in for it. */
  nodes(outputDir: string): AnyNodeDefinition[];
  piaNodes: boolean;
  graph(): GraphDocument;
  /** The node that reports progress while the graph runs. */
  progressNode: string;
  /** The output node whose result the editor must show. */
  outputNode: string;
}

export const scenario: Scenario = {
  nodes: e2eNodes,
  piaNodes: false,
  graph: () => ({
    format: 'piagraph',
    version: 1,
    metadata: { title: 'e2e animation' },
    nodes: {
      '1': { id: '1', classType: 'E2ESolidImage', position: { x: 0, y: 0 }, values: { color: 'blue', size: 32 } },
      '2': {
        id: '2',
        classType: 'E2ESlowFrames',
        position: { x: 340, y: 0 },
        values: { frames: 6, steps: 6, seed: 1 },
        ui: { controlAfterGenerate: { seed: 'increment' } },
      },
      '3': { id: '3', classType: 'E2ESaveAnimation', position: { x: 680, y: 0 }, values: { fps: 8, format: 'webm' } },
    },
    links: {
      '1': { id: '1', source: { node: '1', output: 0 }, target: { node: '2', input: 'image' }, type: 'IMAGE' },
      '2': { id: '2', source: { node: '2', output: 0 }, target: { node: '3', input: 'images' }, type: 'IMAGE' },
    },
  }),
  progressNode: '2',
  outputNode: '3',
};
