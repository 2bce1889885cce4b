import type { PreviewImage } from '@piagraph/graph-core';

/**
 * ComfyUI's binary WebSocket frames (`protocol.py` BinaryEventTypes): a big-endian uint32 event type, then a payload.
 */
export const BinaryEventType = {
  PREVIEW_IMAGE: 1,
  TEXT: 3,
  PREVIEW_IMAGE_WITH_METADATA: 4,
} as const;

/** Type-1 image format codes: ComfyUI knows JPEG (1) and PNG (2); WebP gets 3, which its frontend reads as JPEG. */
const FORMAT_CODE: Record<PreviewImage['format'], number> = { jpeg: 1, png: 2, webp: 3 };

const MIME: Record<PreviewImage['format'], string> = { jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp' };

function header(...words: number[]): Buffer {
  const buf = Buffer.alloc(words.length * 4);
  words.forEach((w, i) => buf.writeUInt32BE(w, i * 4));
  return buf;
}

/** Type 1: `[1][format][image bytes]`, what clients without `supports_preview_metadata` get. */
export function encodePreview(image: PreviewImage): Buffer {
  return Buffer.concat([header(BinaryEventType.PREVIEW_IMAGE, FORMAT_CODE[image.format]), image.data]);
}

/** Type 4: `[4][metadata length][metadata JSON][image bytes]`, only for clients that negotiated it. */
export function encodePreviewWithMetadata(image: PreviewImage, promptId: string, nodeId: string): Buffer {
  const meta = Buffer.from(
    JSON.stringify({
      node_id: nodeId,
      prompt_id: promptId,
      display_node_id: nodeId,
      parent_node_id: null,
      real_node_id: nodeId,
      image_type: MIME[image.format],
    }),
  );
  return Buffer.concat([header(BinaryEventType.PREVIEW_IMAGE_WITH_METADATA, meta.length), meta, image.data]);
}

/** Type 3: `[3][node id length][node id][text]`, a line of progress text on a node. */
export function encodeProgressText(nodeId: string, text: string): Buffer {
  const node = Buffer.from(nodeId);
  return Buffer.concat([header(BinaryEventType.TEXT, node.length), node, Buffer.from(text)]);
}
