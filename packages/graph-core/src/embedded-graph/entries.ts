import type { EmbeddedGraph } from './types.js';

/**
 * Metadata keys and the field of {@link EmbeddedGraph} each one fills. `workflow` and `prompt` are ComfyUI's
 * (SaveImage, SaveAnimatedWEBP, VideoHelperSuite); `piagraph` holds piagraph's own graph document.
 */
const FIELD_OF_KEY: Readonly<Record<string, keyof EmbeddedGraph>> = {
  workflow: 'workflow',
  prompt: 'prompt',
  piagraph: 'graph',
};

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Accumulates what a container yields into an {@link EmbeddedGraph}. Values that are not valid JSON are
 * skipped: a damaged entry must not stop the others from being read.
 */
export class EntryCollector {
  private readonly found: EmbeddedGraph = {};
  private any = false;

  /** A keyed text entry (PNG text chunk, EXIF `key:value` string) whose text is JSON. */
  addKeyed(key: string, text: string): void {
    const field = FIELD_OF_KEY[key.trim().toLowerCase()];
    if (field === undefined || this.found[field] !== undefined) return;
    this.store(field, parseJson(text));
  }

  /** A `key:json` string, the form ComfyUI writes into WebP EXIF strings. */
  addKeyColonText(entry: string): void {
    const colon = entry.indexOf(':');
    if (colon > 0) this.addKeyed(entry.slice(0, colon), entry.slice(colon + 1));
  }

  /**
   * A free-form comment (MP4, WebM, GIF): a JSON object whose known keys hold either the value itself or, as
   * VideoHelperSuite writes `prompt`, the value serialised once more as a JSON string.
   */
  addComment(text: string): void {
    const value = parseJson(text.replace(/\0+$/, ''));
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return;
    for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
      if (typeof inner === 'string') {
        this.addKeyed(key, inner);
        continue;
      }
      const field = FIELD_OF_KEY[key.trim().toLowerCase()];
      if (field !== undefined && this.found[field] === undefined) this.store(field, inner);
    }
  }

  private store(field: keyof EmbeddedGraph, value: unknown): void {
    if (value === undefined) return;
    this.found[field] = value;
    this.any = true;
  }

  /** What was found, or null when no known key held valid JSON. */
  result(): EmbeddedGraph | null {
    return this.any ? { ...this.found } : null;
  }
}
