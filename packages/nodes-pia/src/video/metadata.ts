import { VideoWriteError } from './errors.js';

/**
 * The graph metadata an output carries, each a JSON string given by the caller: `graph` is the piagraph graph
 * document (stored under the key `piagraph`), `prompt` the API prompt, `workflow` a ComfyUI UI workflow when the
 * graph came from one. `extractEmbeddedGraph` in graph-core reads them back.
 */
export interface OutputMetadata {
  graph?: string;
  prompt?: string;
  workflow?: string;
}

/** Key in the file ← field of {@link OutputMetadata}, in the order they are written. */
const KEYS = [
  ['workflow', 'workflow'],
  ['prompt', 'prompt'],
  ['piagraph', 'graph'],
] as const;

/** The metadata as `[key, json]` pairs, each checked to be JSON; VideoWriteError `bad-metadata` otherwise. */
export function metadataEntries(metadata: OutputMetadata | undefined): Array<[key: string, json: string]> {
  const entries: Array<[string, string]> = [];
  for (const [key, field] of KEYS) {
    const json = metadata?.[field];
    if (json === undefined) continue;
    try {
      JSON.parse(json);
    } catch (error) {
      throw new VideoWriteError('bad-metadata', `Metadata "${field}" is not valid JSON: ${(error as Error).message}`);
    }
    entries.push([key, json]);
  }
  return entries;
}

/**
 * JSON with every non-ASCII character written as a `\uXXXX` escape. Equivalent JSON (such characters can only
 * occur inside strings), but safe in containers whose text fields are ASCII: EXIF strings, GIF comments.
 */
export function asciiJson(json: string): string {
  return json.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * The one-string form used for video `comment` tags and GIF comments: a JSON object `{"workflow":…,"prompt":…,
 * "piagraph":…}` whose values are the documents themselves, ASCII-escaped. Undefined when there is nothing to embed.
 */
export function metadataComment(entries: ReadonlyArray<[string, string]>): string | undefined {
  if (entries.length === 0) return undefined;
  return `{${entries.map(([key, json]) => `${JSON.stringify(key)}:${asciiJson(json)}`).join(',')}}`;
}

/** EXIF IFD0 tags that hold the entries in ComfyUI's SaveAnimatedWEBP layout (`key:json` strings). */
const EXIF_TAG_OF_KEY: Readonly<Record<string, 'Make' | 'Model' | 'ImageDescription'>> = {
  workflow: 'Make',
  prompt: 'Model',
  piagraph: 'ImageDescription',
};

/**
 * The entries as EXIF IFD0 strings for sharp's `withExif`, as ComfyUI's SaveAnimatedWEBP stores them: `workflow`
 * in Make (0x010F), `prompt` in Model (0x0110); piagraph's document goes in ImageDescription (0x010E). ASCII-escaped
 * because libexif writes EXIF ASCII fields and would mangle other characters.
 */
export function metadataExif(entries: ReadonlyArray<[string, string]>): Record<string, string> {
  const ifd0: Record<string, string> = {};
  for (const [key, json] of entries) ifd0[EXIF_TAG_OF_KEY[key]!] = `${key}:${asciiJson(json)}`;
  return ifd0;
}

/**
 * An ffmpeg FFMETADATA1 file setting `comment`. A file rather than `-metadata comment=…` because a graph's JSON
 * can exceed the 128 KiB limit Linux puts on one command-line argument. `=`, `;`, `#`, `\` and newlines are
 * backslash-escaped as the format requires.
 */
export function ffmetadataFile(comment: string): string {
  return `;FFMETADATA1\ncomment=${comment.replace(/[=;#\\\n]/g, (c) => `\\${c}`)}\n`;
}
