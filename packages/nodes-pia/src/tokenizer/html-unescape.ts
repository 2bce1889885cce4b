/**
 * A port of CPython's `html.unescape`, which CLIP's text cleaning calls twice. Ported rather than taken from an
 * npm decoder so that the corner cases (legacy names without `;` matched by longest prefix, C1 numeric references
 * mapped through Windows-1252, invalid code points dropped) are Python's, not a browser's.
 */
import { HTML5_ENTITIES, INVALID_CHARREFS, INVALID_CODEPOINT_RANGES } from './html-tables.js';

const CHARREF = /&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)/g;

function isInvalidCodepoint(cp: number): boolean {
  return INVALID_CODEPOINT_RANGES.some(([lo, hi]) => cp >= lo && cp <= hi);
}

function replaceNumeric(ref: string): string {
  const hex = ref[1] === 'x' || ref[1] === 'X';
  const digits = ref.slice(hex ? 2 : 1).replace(/;$/, '');
  const cp = hex ? parseInt(digits, 16) : parseInt(digits, 10);
  const mapped = INVALID_CHARREFS.get(cp);
  if (mapped !== undefined) return mapped;
  if ((cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff || !Number.isFinite(cp)) return '\ufffd';
  if (isInvalidCodepoint(cp)) return '';
  return String.fromCodePoint(cp);
}

function replaceNamed(ref: string): string {
  const whole = HTML5_ENTITIES.get(ref);
  if (whole !== undefined) return whole;
  for (let end = ref.length - 1; end > 1; end--) {
    const prefix = HTML5_ENTITIES.get(ref.slice(0, end));
    if (prefix !== undefined) return prefix + ref.slice(end);
  }
  return `&${ref}`;
}

/** Python's `html.unescape(text)`: replaces every named and numeric character reference. */
export function htmlUnescape(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(CHARREF, (_, ref: string) => (ref[0] === '#' ? replaceNumeric(ref) : replaceNamed(ref)));
}
