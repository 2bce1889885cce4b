import { describe, expect, it } from 'vitest';
import { parseBinaryFrame, parseTextMessage } from '../src/api/messages.js';

/** Concatenates big-endian uint32s and raw byte arrays into one ArrayBuffer, as the server frames them. */
function frame(...parts: (number | Uint8Array)[]): ArrayBuffer {
  const bytes: number[] = [];
  for (const p of parts) {
    if (typeof p === 'number') bytes.push((p >>> 24) & 255, (p >>> 16) & 255, (p >>> 8) & 255, p & 255);
    else bytes.push(...p);
  }
  return new Uint8Array(bytes).buffer;
}
const utf8 = (s: string) => new TextEncoder().encode(s);

describe('parseTextMessage', () => {
  it('reads a ComfyUI progress event', () => {
    const msg = parseTextMessage('{"type":"progress","data":{"value":3,"max":10,"prompt_id":"p","node":"5"}}');
    expect(msg).toEqual({ type: 'progress', data: { value: 3, max: 10, prompt_id: 'p', node: '5' } });
  });

  it('keeps events it does not know, by name', () => {
    expect(parseTextMessage('{"type":"logs","data":{"entries":[]}}')).toEqual({ type: 'unknown', event: 'logs', data: { entries: [] } });
  });

  it('ignores malformed frames', () => {
    expect(parseTextMessage('{not json')).toBeUndefined();
    expect(parseTextMessage('[1,2]')).toBeUndefined();
  });
});

describe('parseBinaryFrame', () => {
  it('decodes a type 1 preview with its image format', () => {
    const msg = parseBinaryFrame(frame(1, 2, new Uint8Array([0x89, 0x50])));
    expect(msg).toMatchObject({ kind: 'preview', mime: 'image/png' });
    expect(Array.from((msg as { bytes: Uint8Array }).bytes)).toEqual([0x89, 0x50]);
  });

  it('decodes a type 4 preview with its metadata', () => {
    const meta = utf8(JSON.stringify({ node_id: '7', prompt_id: 'p1', image_type: 'image/webp' }));
    const msg = parseBinaryFrame(frame(4, meta.length, meta, new Uint8Array([1, 2, 3])));
    expect(msg).toMatchObject({ kind: 'preview', mime: 'image/webp', nodeId: '7', promptId: 'p1' });
    expect(Array.from((msg as { bytes: Uint8Array }).bytes)).toEqual([1, 2, 3]);
  });

  it('decodes a type 3 progress text', () => {
    const id = utf8('12');
    expect(parseBinaryFrame(frame(3, id.length, id, utf8('step 4/25')))).toEqual({ kind: 'text', nodeId: '12', text: 'step 4/25' });
  });

  it('rejects a frame whose declared length overruns it', () => {
    expect(parseBinaryFrame(frame(3, 99, utf8('x')))).toBeUndefined();
  });

  it('ignores unknown frame types', () => {
    expect(parseBinaryFrame(frame(9, 0))).toBeUndefined();
  });
});
