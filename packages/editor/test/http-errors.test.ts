import { describe, expect, it } from 'vitest';
import { readableHttpError, shorten } from '../src/api/http.js';

describe('readable server errors', () => {
  it("reads piagraph's and ComfyUI's error bodies as message and details, not JSON", () => {
    const body = JSON.stringify({ error: { type: 'invalid_image', message: 'The upload is not an image', details: 'notes.png starts with "hello"', extra_info: {} } });
    expect(readableHttpError(400, 'Bad Request', body)).toBe('The upload is not an image (notes.png starts with "hello")');
    expect(readableHttpError(400, '', JSON.stringify({ error: 'No prompt provided' }))).toBe('No prompt provided');
  });

  it("reads an HTML error page (a proxy's) as its text", () => {
    const html = '<html><head><style>h1{color:red}</style></head><body><h1>502 Bad Gateway</h1><hr><center>nginx</center></body></html>';
    expect(readableHttpError(502, 'Bad Gateway', html)).toBe('502 Bad Gateway nginx');
  });

  it('falls back to the status for an empty body', () => {
    expect(readableHttpError(503, 'Service Unavailable', '')).toBe('HTTP 503 Service Unavailable');
  });

  it('cuts a long message at a word boundary with an ellipsis, never mid-word', () => {
    const words = Array.from({ length: 100 }, (_, i) => `word${i}`).join(' ');
    const short = shorten(words, 50);
    expect(short.endsWith('…')).toBe(true);
    expect(short.length).toBeLessThanOrEqual(51);
    // Every word kept is whole.
    expect(short.slice(0, -1).split(' ').every((w) => /^word\d+$/.test(w))).toBe(true);
  });
});

describe('queue refusal notices', () => {
  it('name each failing node by title and id, with the input, and summarise the rest', async () => {
    const { validationNotice } = await import('../src/app/error-text.js');
    const doc = {
      format: 'piagraph' as const,
      version: 1 as const,
      metadata: {},
      nodes: { '9': { id: '9', classType: 'SaveVideo', position: { x: 0, y: 0 }, values: {}, title: 'Final video' } },
      links: {},
    };
    const item = (input: string) => ({ type: 'required_input_missing' as const, message: 'Required input is missing', details: input, extra_info: { input_name: input } });
    const text = validationNotice(
      { type: 'prompt_outputs_failed_validation', message: 'Prompt outputs failed validation', details: '…', extra_info: {} },
      {
        '9': { class_type: 'SaveVideo', dependent_outputs: ['9'], errors: [item('images'), item('b')] },
        '4': { class_type: 'LoadImage', dependent_outputs: ['9'], errors: [item('image'), item('a')] },
      },
      doc,
      (c) => (c === 'LoadImage' ? 'Load Image' : c),
    );
    expect(text.split('\n')).toEqual([
      // Node ids in the order the server's record lists them (numeric ids ascending).
      'Prompt outputs failed validation',
      '• Load Image #4, image: Required input is missing (image)',
      '• Load Image #4, a: Required input is missing (a)',
      '• Final video #9, images: Required input is missing (images)',
      '… and 1 more, marked on their nodes',
    ]);
  });
});
