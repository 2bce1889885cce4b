/** CLIP's (and GPT-2's) byte-level alphabet: every byte gets a printable character, so BPE never sees spaces or controls. */

/** `bytes_to_unicode()`: printable Latin-1 bytes map to themselves, the other 68 to U+0100 onwards. */
export function bytesToUnicode(): string[] {
  const table = new Array<string>(256);
  let next = 256;
  for (let b = 0; b < 256; b++) {
    const printable = (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
    table[b] = String.fromCharCode(printable ? b : next++);
  }
  return table;
}

/** The 256 byte symbols in CLIP's vocabulary order (`list(bytes_to_unicode().values())`: printable bytes first). */
export function byteSymbolsInVocabOrder(): string[] {
  const table = bytesToUnicode();
  const printable = table.filter((ch) => ch.charCodeAt(0) < 256);
  const remapped = table.filter((ch) => ch.charCodeAt(0) >= 256);
  return [...printable, ...remapped];
}
