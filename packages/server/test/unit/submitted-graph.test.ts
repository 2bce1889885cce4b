import { describe, expect, it } from 'vitest';
import { withSubmittedGraph } from '../../src/graphs/submitted-graph.js';
import { numberDocument, numberWorkflow } from '../fixtures/graphs.js';
import { numberPrompt } from '../helpers/test-server.js';

describe('withSubmittedGraph', () => {
  it('puts a piagraph graph document under extra_pnginfo.piagraph', () => {
    const doc = numberDocument(1);
    expect(withSubmittedGraph({ client_id: 'c' }, doc)).toEqual({ client_id: 'c', extra_pnginfo: { piagraph: doc } });
  });

  it('puts a ComfyUI UI workflow under extra_pnginfo.workflow', () => {
    const workflow = numberWorkflow(1);
    expect(withSubmittedGraph({}, workflow)).toEqual({ extra_pnginfo: { workflow } });
  });

  it('adds nothing for an API prompt', () => {
    expect(withSubmittedGraph({ client_id: 'c' }, numberPrompt(1))).toEqual({ client_id: 'c' });
  });

  it('reads a graph given as JSON text or wrapped as a POST /prompt body', () => {
    const doc = numberDocument(2);
    expect(withSubmittedGraph({}, JSON.stringify(doc))).toEqual({ extra_pnginfo: { piagraph: doc } });
    expect(withSubmittedGraph({}, JSON.stringify({ prompt: doc }))).toEqual({ extra_pnginfo: { piagraph: doc } });
  });

  it('keeps what the client put in extra_pnginfo, its own workflow winning over the submitted one', () => {
    const theirs = { nodes: [], note: 'theirs' };
    const extra = { extra_pnginfo: { workflow: theirs, other: 1 } };
    expect(withSubmittedGraph(extra, numberWorkflow(3))).toEqual(extra);
    const doc = numberDocument(3);
    expect(withSubmittedGraph(extra, doc)).toEqual({ extra_pnginfo: { workflow: theirs, other: 1, piagraph: doc } });
  });

  it('ignores text that is not JSON', () => {
    expect(withSubmittedGraph({}, '{not json')).toEqual({});
  });
});
