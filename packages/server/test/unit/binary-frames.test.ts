import { describe, expect, it } from 'vitest';
import { encodePreview, encodePreviewWithMetadata, encodeProgressText } from '../../src/ws/binary-frames.js';

const png = { format: 'png' as const, data: new Uint8Array([0x89, 0x50, 0x4e, 0x47]) };

describe('binary frames', () => {
  it('encodes a type-1 preview as [1][2 = PNG][bytes]', () => {
    expect([...encodePreview(png)]).toEqual([0, 0, 0, 1, 0, 0, 0, 2, 0x89, 0x50, 0x4e, 0x47]);
  });

  it('encodes a JPEG type-1 preview with format 1', () => {
    expect([...encodePreview({ format: 'jpeg', data: new Uint8Array([0xff]) })]).toEqual([0, 0, 0, 1, 0, 0, 0, 1, 0xff]);
  });

  it('encodes progress text as [3][length of node id][node id][text]', () => {
    const frame = encodeProgressText('12', 'hi');
    expect([...frame]).toEqual([0, 0, 0, 3, 0, 0, 0, 2, 0x31, 0x32, 0x68, 0x69]);
  });

  it('encodes a type-4 preview with its metadata JSON before the image', () => {
    const frame = encodePreviewWithMetadata(png, 'p1', '7');
    expect(frame.readUInt32BE(0)).toBe(4);
    const metaLength = frame.readUInt32BE(4);
    const meta = JSON.parse(frame.subarray(8, 8 + metaLength).toString());
    expect(meta).toEqual({
      node_id: '7',
      prompt_id: 'p1',
      display_node_id: '7',
      parent_node_id: null,
      real_node_id: '7',
      image_type: 'image/png',
    });
    expect([...frame.subarray(8 + metaLength)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
  });
});
