import { describe, expect, it } from 'vitest';
import type { ApiPrompt } from '@piagraph/graph-core';
import { embeddedMetadata } from '../../src/nodes/save-video.js';

const prompt: ApiPrompt = {
  '1': { class_type: 'LoadImage', inputs: { image: 'cat.png' } },
  '2': { class_type: 'PIASaveVideo', inputs: { images: ['1', 0], format: 'image/gif' } },
};

describe('embeddedMetadata (what Save Video writes into the file)', () => {
  it('embeds the prompt alone when the extra data has no extra_pnginfo', () => {
    expect(embeddedMetadata(prompt, {})).toEqual({ prompt: JSON.stringify(prompt) });
  });

  it('embeds the UI workflow and the piagraph document that extra_pnginfo holds', () => {
    const workflow = { nodes: [{ id: 1, type: 'LoadImage' }], links: [] };
    const graph = { format: 'piagraph', version: 1, nodes: {} };
    const metadata = embeddedMetadata(prompt, { client_id: 'c', extra_pnginfo: { workflow, piagraph: graph } });
    expect(JSON.parse(metadata.prompt!)).toEqual(prompt);
    expect(JSON.parse(metadata.workflow!)).toEqual(workflow);
    expect(JSON.parse(metadata.graph!)).toEqual(graph);
  });

  it('ignores an extra_pnginfo that is not an object', () => {
    expect(embeddedMetadata(prompt, { extra_pnginfo: 'workflow' })).toEqual({ prompt: JSON.stringify(prompt) });
    expect(embeddedMetadata(prompt, { extra_pnginfo: [{ workflow: {} }] })).toEqual({ prompt: JSON.stringify(prompt) });
  });
});
