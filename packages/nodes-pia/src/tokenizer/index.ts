/** CLIP's BPE tokenizer as SD 1.5 uses it: text cleaning, loading from user files, writing, tiny vocabularies. */
export * from './errors.js';
export * from './byte-level.js';
export * from './html-unescape.js';
export * from './fix-text.js';
export * from './clip-clean.js';
export * from './vocabulary.js';
export * from './clip-tokenizer.js';
export * from './load.js';
export * from './write.js';
export * from './tiny.js';
