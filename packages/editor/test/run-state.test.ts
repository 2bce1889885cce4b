import { describe, expect, it } from 'vitest';
import type { ServerMessage } from '../src/api/messages.js';
import { initialRunState, mediaFromUi, reduceRun, type LocalAction, type RunState } from '../src/store/run-state.js';

const P = 'prompt-1';
/** The state after `msgs`, with `P` (and 'old') queued from the open graph. */
const run = (...msgs: (ServerMessage | LocalAction)[]): RunState =>
  [{ type: 'submitted', promptId: 'old' } as const, { type: 'submitted', promptId: P } as const, ...msgs].reduce(reduceRun, initialRunState);

describe('reduceRun', () => {
  it('lights up the executing node and tracks its progress', () => {
    const s = run(
      { type: 'execution_start', data: { prompt_id: P, timestamp: 0 } },
      { type: 'executing', data: { node: '3', prompt_id: P } },
      { type: 'progress', data: { node: '3', value: 4, max: 25, prompt_id: P } },
    );
    expect(s.nodes['3']).toEqual({ phase: 'running', progress: { value: 4, max: 25 } });
    expect(s.running).toBe(true);
  });

  it('ends the run on executing null', () => {
    const s = run(
      { type: 'execution_start', data: { prompt_id: P, timestamp: 0 } },
      { type: 'executing', data: { node: '3', prompt_id: P } },
      { type: 'executing', data: { node: null, prompt_id: P } },
    );
    expect(s.running).toBe(false);
    expect(s.executing).toBeUndefined();
  });

  it('marks cached nodes and keeps them cached when their cached output is re-sent', () => {
    const s = run(
      { type: 'execution_start', data: { prompt_id: P, timestamp: 0 } },
      { type: 'execution_cached', data: { nodes: ['1', '2'], prompt_id: P, timestamp: 0 } },
      { type: 'executed', data: { node: '2', display_node: '2', output: null, prompt_id: P } },
    );
    expect(s.nodes['1']!.phase).toBe('cached');
    expect(s.nodes['2']!.phase).toBe('cached');
  });

  it('puts an execution error on the failing node', () => {
    const s = run(
      { type: 'execution_start', data: { prompt_id: P, timestamp: 0 } },
      {
        type: 'execution_error',
        data: {
          prompt_id: P, node_id: '4', node_type: 'SaveVideo', executed: [], exception_message: 'disk full',
          exception_type: 'IOError', traceback: [], current_inputs: {}, current_outputs: [], timestamp: 0,
        },
      },
    );
    expect(s.nodes['4']).toEqual({ phase: 'error', error: { message: 'IOError: disk full', inputs: {} } });
  });

  it('attributes validation errors to nodes and inputs', () => {
    const s = run({
      type: 'rejected',
      error: { type: 'prompt_outputs_failed_validation', message: 'Prompt outputs failed validation', details: '', extra_info: {} },
      nodeErrors: {
        '3': {
          class_type: 'Sampler',
          dependent_outputs: ['4'],
          errors: [{ type: 'value_bigger_than_max', message: 'Value bigger than max', details: 'steps: 500 > 100', extra_info: { input_name: 'steps' } }],
        },
      },
    });
    expect(s.nodes['3']!.phase).toBe('error');
    expect(s.nodes['3']!.error!.inputs).toEqual({ steps: 'Value bigger than max: steps: 500 > 100' });
  });

  it('clears earlier errors but keeps earlier outputs when a new run starts', () => {
    const s = run(
      { type: 'execution_start', data: { prompt_id: 'old', timestamp: 0 } },
      { type: 'executed', data: { node: '4', display_node: '4', output: { images: [{ filename: 'a.webp', subfolder: '', type: 'output' }] }, prompt_id: 'old' } },
      { type: 'execution_start', data: { prompt_id: P, timestamp: 1 } },
    );
    expect(s.nodes['4']).toEqual({ phase: 'idle', outputs: [{ url: '/view?filename=a.webp&type=output&subfolder=', kind: 'image', filename: 'a.webp' }] });
  });

  it('ignores events of another prompt while one is running', () => {
    const s = run(
      { type: 'execution_start', data: { prompt_id: P, timestamp: 0 } },
      { type: 'progress', data: { node: '3', value: 1, max: 2, prompt_id: 'someone-else' } },
    );
    expect(s.nodes['3']).toBeUndefined();
  });

  it("leaves the nodes alone for a prompt the open graph did not queue, even when none of its own runs", () => {
    const s = run(
      { type: 'execution_start', data: { prompt_id: 'another-graph', timestamp: 0 } },
      { type: 'executing', data: { node: '3', prompt_id: 'another-graph' } },
      { type: 'executed', data: { node: '4', display_node: '4', output: { images: [{ filename: 'a.webp', subfolder: '', type: 'output' }] }, prompt_id: 'another-graph' } },
      { type: 'preview', url: 'blob:2' },
      { type: 'execution_success', data: { prompt_id: 'another-graph', timestamp: 1 } },
    );
    expect(s.nodes).toEqual({});
    expect(s.message).toBeUndefined();
  });

  it('opens another graph clean and keeps the earlier graph\'s late events off it', () => {
    const s = run(
      { type: 'execution_start', data: { prompt_id: P, timestamp: 0 } },
      { type: 'executing', data: { node: '3', prompt_id: P } },
      { type: 'rejected', error: { type: 'invalid_prompt', message: 'bad', details: '', extra_info: {} }, nodeErrors: {} },
      { type: 'document_opened' },
      { type: 'progress', data: { node: '3', value: 1, max: 2, prompt_id: P } },
      { type: 'executed', data: { node: '4', display_node: '4', output: { images: [{ filename: 'a.webp', subfolder: '', type: 'output' }] }, prompt_id: P } },
      { type: 'node_finished', data: { node: '4', ms: 12, cached: false, prompt_id: P } },
      { type: 'preview', url: 'blob:3' },
    );
    expect(s.nodes).toEqual({});
    expect(s.message).toBeUndefined();
    expect(s.running).toBe(false);
  });

  it('forgets a refused prompt', () => {
    const s = run({ type: 'rejected', promptId: P, error: { type: 'invalid_prompt', message: 'bad', details: '', extra_info: {} }, nodeErrors: {} });
    expect(s.owned).toEqual(['old']);
  });

  it('gives a preview without a node id to the executing node', () => {
    const s = run(
      { type: 'execution_start', data: { prompt_id: P, timestamp: 0 } },
      { type: 'executing', data: { node: '3', prompt_id: P } },
      { type: 'preview', url: 'blob:1' },
    );
    expect(s.nodes['3']!.previewUrl).toBe('blob:1');
  });

  it('reads the queue count from status', () => {
    expect(run({ type: 'status', data: { status: { exec_info: { queue_remaining: 3 } } } }).queueRemaining).toBe(3);
  });

  it('counts an upload and every finished prompt, this client\'s or another\'s, as a change of the input files', () => {
    const s = run(
      { type: 'execution_start', data: { prompt_id: P, timestamp: 0 } },
      { type: 'prompt_done', data: { prompt_id: 'someone-else' } },
      { type: 'inputs_changed' },
      { type: 'prompt_done', data: { prompt_id: P } },
    );
    expect(s.inputsRevision).toBe(3);
    expect(s.running).toBe(false);
  });

  it('leaves the input files unchanged while a prompt runs', () => {
    const s = run(
      { type: 'execution_start', data: { prompt_id: P, timestamp: 0 } },
      { type: 'executing', data: { node: '4', prompt_id: P } },
      { type: 'executing', data: { node: null, prompt_id: P } },
    );
    expect(s.inputsRevision).toBe(0);
  });
});

describe('mediaFromUi', () => {
  it('plays VHS-style gifs entries with a video format in a video element', () => {
    const items = mediaFromUi({ gifs: [{ filename: 'pia_00001.mp4', subfolder: 'run', type: 'output', format: 'video/h264-mp4' }] });
    expect(items).toEqual([{ url: '/view?filename=pia_00001.mp4&type=output&subfolder=run', kind: 'video', filename: 'pia_00001.mp4', mime: 'video/h264-mp4' }]);
  });

  it('shows animated WebP and GIF as images and recognises a video by its extension', () => {
    const kinds = mediaFromUi({
      images: [
        { filename: 'a.webp', subfolder: '', type: 'output' },
        { filename: 'b.gif', subfolder: '', type: 'temp' },
      ],
      animated: [true, true],
      video: [{ filename: 'c.webm', subfolder: '', type: 'output' }],
    }).map((m) => `${m.filename}:${m.kind}`);
    expect(kinds).toEqual(['c.webm:video', 'a.webp:image', 'b.gif:image']);
  });

  it('shows a file listed both as gifs and as animated images once', () => {
    const gif = { filename: 'piagraph_00001_.gif', subfolder: '', type: 'output' };
    const items = mediaFromUi({ images: [gif], animated: [true], gifs: [{ ...gif, format: 'image/gif', frame_rate: 8 }] });
    expect(items).toEqual([{ url: '/view?filename=piagraph_00001_.gif&type=output&subfolder=', kind: 'image', filename: 'piagraph_00001_.gif', mime: 'image/gif' }]);
  });
});
