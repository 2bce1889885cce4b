/**
 * CLIP's text preparation (`simple_tokenizer.py`): `whitespace_clean(basic_clean(text)).lower()`, where
 * `basic_clean` = ftfy, then `html.unescape` twice, then `strip()`.
 */
import { fixText } from './fix-text.js';
import { htmlUnescape } from './html-unescape.js';

/** Python's `str.isspace()` set, which `re`'s `\s` and `str.strip()` use (JavaScript's `\s` differs: U+FEFF, U+1C–1F). */
const PY_SPACE = '\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const PY_SPACES_RE = new RegExp(`[${PY_SPACE}]+`, 'g');
const PY_STRIP_RE = new RegExp(`^[${PY_SPACE}]+|[${PY_SPACE}]+$`, 'g');

/** Python's `str.strip()`. */
export function pyStrip(text: string): string {
  return text.replace(PY_STRIP_RE, '');
}

/** CLIP's `basic_clean`: ftfy, `html.unescape` twice, strip. */
export function basicClean(text: string): string {
  return pyStrip(htmlUnescape(htmlUnescape(fixText(text))));
}

/** CLIP's `whitespace_clean`: every whitespace run becomes one space, then strip. */
export function whitespaceClean(text: string): string {
  return pyStrip(text.replace(PY_SPACES_RE, ' '));
}

/** The exact string CLIP's pre-tokenizer sees: cleaned, whitespace-collapsed and lower-cased. */
export function clipCleanText(text: string): string {
  return whitespaceClean(basicClean(text)).toLowerCase();
}
