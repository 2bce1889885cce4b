/**
 * The part of ftfy's `fix_text` (default settings) that changes real prompts, which CLIP runs before anything
 * else. ftfy is a Python library with no maintained JavaScript port; its full mojibake detector weighs "badness"
 * with large tables, so this keeps its steps and order but repairs mojibake with a narrower rule (see
 * {@link repairMojibake}). Steps, in ftfy's order, repeated until nothing changes:
 * HTML entities (only when the text has no `<`), terminal escapes, mojibake, C1 controls, Latin ligatures,
 * full-width characters, curly quotes, line breaks, lone surrogates, control characters, NFC.
 */
import { HTML5_ENTITIES, INVALID_CHARREFS } from './html-tables.js';
import { htmlUnescape } from './html-unescape.js';

/** ftfy's "sloppy windows-1252": byte → character, with the five undefined bytes kept as C1 controls. */
const BYTE_TO_CHAR: readonly string[] = Array.from({ length: 256 }, (_, b) =>
  b >= 0x80 && b <= 0x9f ? INVALID_CHARREFS.get(b)! : String.fromCharCode(b),
);
const CHAR_TO_BYTE: ReadonlyMap<string, number> = new Map(
  BYTE_TO_CHAR.map((ch, b) => [ch, b] as const).filter(([, b]) => b >= 0x80),
);

/** UTF-8 lead bytes whose two-byte mojibake is common and almost never legitimate text (Â, Ã, Å, Î, Ï, Ð, Ñ). */
const TWO_BYTE_LEADS = new Set([0xc2, 0xc3, 0xc5, 0xce, 0xcf, 0xd0, 0xd1]);

const LIGATURES: ReadonlyMap<string, string> = new Map([
  ['Ĳ', 'IJ'], ['ĳ', 'ij'], ['ŉ', 'ʼn'], ['Ǳ', 'DZ'], ['ǲ', 'Dz'], ['ǳ', 'dz'], ['Ǆ', 'DŽ'], ['ǅ', 'Dž'],
  ['ǆ', 'dž'], ['Ǉ', 'LJ'], ['ǈ', 'Lj'], ['ǉ', 'lj'], ['Ǌ', 'NJ'], ['ǋ', 'Nj'], ['ǌ', 'nj'], ['ﬀ', 'ff'],
  ['ﬁ', 'fi'], ['ﬂ', 'fl'], ['ﬃ', 'ffi'], ['ﬄ', 'ffl'], ['ﬅ', 'ſt'], ['ﬆ', 'st'],
]);
const LIGATURE_RE = new RegExp(`[${[...LIGATURES.keys()].join('')}]`, 'g');

/** ftfy's width map: U+3000 → space, and the full-width/half-width block to its NFKC form. */
const WIDTH_RE = /[\u3000\uff01-\uffef]/g;
function narrow(ch: string): string {
  return ch === '\u3000' ? ' ' : ch.normalize('NFKC');
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

function continuationCount(lead: number): number {
  if (lead >= 0xc2 && lead <= 0xdf) return 1;
  if (lead >= 0xe0 && lead <= 0xef) return 2;
  if (lead >= 0xf0 && lead <= 0xf4) return 3;
  return 0;
}

/**
 * Repairs UTF-8 that was decoded as Windows-1252/Latin-1 ("cafÃ©" → "café", "itâ€™s" → "it’s"). A run is
 * re-decoded when its characters are the bytes of one valid UTF-8 sequence and it is either 3–4 bytes long or
 * starts with a lead byte from {@link TWO_BYTE_LEADS}; ftfy's badness heuristic is broader, this rule keeps
 * legitimate pairs such as "É»" intact.
 */
export function repairMojibake(text: string): string {
  if (!/[\u00c2-\u00f4]/.test(text)) return text;
  const chars = Array.from(text);
  let out = '';
  for (let i = 0; i < chars.length; i++) {
    const lead = CHAR_TO_BYTE.get(chars[i]!);
    const n = lead === undefined ? 0 : continuationCount(lead);
    if (n > 0 && (n > 1 || TWO_BYTE_LEADS.has(lead!))) {
      const bytes = [lead!];
      for (let k = 1; k <= n; k++) {
        const b = CHAR_TO_BYTE.get(chars[i + k] ?? '');
        if (b === undefined || b < 0x80 || b > 0xbf) break;
        bytes.push(b);
      }
      if (bytes.length === n + 1) {
        try {
          out += UTF8.decode(Uint8Array.from(bytes));
          i += n;
          continue;
        } catch {
          // not valid UTF-8 (overlong or surrogate): leave the characters as they are
        }
      }
    }
    out += chars[i];
  }
  return out;
}

/** ftfy's `unescape_html`: entities ending in `;` only, upper-case names too ("&EACUTE;" → "É"). */
function unescapeHtmlEntities(text: string): string {
  return text.replace(/&#?[0-9A-Za-z]{1,24};/g, (entity) => {
    const name = entity.slice(1);
    const direct = HTML5_ENTITIES.get(name);
    if (direct !== undefined) return direct;
    const lower = HTML5_ENTITIES.get(name.toLowerCase());
    if (lower !== undefined && name === name.toUpperCase()) return lower.toUpperCase();
    if (name.startsWith('#')) {
      const decoded = htmlUnescape(entity);
      return decoded.includes(';') ? entity : decoded;
    }
    return entity;
  });
}

const CONTROL_CHARS =
  /[\u0000-\u0008\u000b\u000e-\u001f\u007f\u206a-\u206f\ufeff\ufff9-\ufffc\u{1d173}-\u{1d17a}\u{e0000}-\u{e007f}]/gu;

function fixOnce(text: string): string {
  let t = text;
  if (!t.includes('<')) t = unescapeHtmlEntities(t);
  t = t.replace(/\u001b\[(?:\d|;)*[a-zA-Z]/g, '');
  t = repairMojibake(t);
  t = t.replace(/[\u0080-\u009f]/g, (c) => INVALID_CHARREFS.get(c.charCodeAt(0)) ?? c);
  t = t.replace(LIGATURE_RE, (c) => LIGATURES.get(c)!);
  t = t.replace(WIDTH_RE, narrow);
  t = t.replace(/[\u02bc\u2018-\u201b]/g, "'").replace(/[\u201c-\u201f]/g, '"');
  t = t.replace(/\r\n/g, '\n').replace(/[\r\u2028\u2029\u0085]/g, '\n');
  t = t.replace(/\p{Cs}/gu, '\ufffd');
  t = t.replace(CONTROL_CHARS, '');
  return t.normalize('NFC');
}

/** ftfy `fix_text` with default settings, restricted as the module comment says. */
export function fixText(text: string): string {
  let current = text;
  for (let pass = 0; pass < 8; pass++) {
    const next = fixOnce(current);
    if (next === current) return next;
    current = next;
  }
  return current;
}
