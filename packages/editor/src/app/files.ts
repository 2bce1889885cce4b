import { extractEmbeddedGraphAsync, type GraphDocument, type NodeRegistry } from '@piagraph/graph-core';
import { documentFromJson, UnsupportedGraphError } from '../document/import.js';

/** Reads a dropped or picked file: graph JSON, or a PNG/WebP/GIF/MP4/WebM output with an embedded graph. */
export async function documentFromFile(file: Blob & { name?: string }, registry: NodeRegistry): Promise<{ doc: GraphDocument; laidOut: boolean }> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  const isJson = file.name?.toLowerCase().endsWith('.json') || bytes[0] === 0x7b;
  if (isJson) return documentFromJson(JSON.parse(new TextDecoder().decode(bytes)), registry);
  const embedded = await extractEmbeddedGraphAsync(bytes);
  if (!embedded) throw new UnsupportedGraphError(`${file.name ?? 'the file'} is neither graph JSON nor a media file with an embedded graph`);
  const source = embedded.graph ?? embedded.workflow ?? embedded.prompt;
  if (source === undefined) throw new UnsupportedGraphError(`${file.name ?? 'the file'} carries no graph`);
  return documentFromJson(source, registry);
}

/** Offers the document as a `.json` download. */
export function downloadDocument(doc: GraphDocument, fileName: string): void {
  downloadJson(doc, fileName);
}

/** Offers any JSON value as a `.json` download. */
export function downloadJson(value: unknown, fileName: string): void {
  const blob = new Blob([JSON.stringify(value, null, 2)], { type: 'application/json' });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName.endsWith('.json') ? fileName : `${fileName}.json`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
