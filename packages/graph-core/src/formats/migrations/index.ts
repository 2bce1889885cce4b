import { GraphFormatError } from '../../errors.js';
import { GRAPH_DOCUMENT_VERSION } from '../../types/document.js';
import { v0ToV1 } from './v0-to-v1.js';

/** One step of the document's schema history; it receives the raw JSON of version `from`. */
export interface DocumentMigration {
  from: number;
  to: number;
  description: string;
  migrate(doc: Record<string, unknown>): Record<string, unknown>;
}

/** Every migration, oldest first. A new document version adds one here and bumps `GRAPH_DOCUMENT_VERSION`. */
export const DOCUMENT_MIGRATIONS: readonly DocumentMigration[] = [v0ToV1];

/**
 * Brings a raw document up to `GRAPH_DOCUMENT_VERSION` by chaining migrations (tldraw-style). A version newer
 * than this build, or one no migration starts from, is a `GraphFormatError`.
 */
export function migrateDocument(doc: Record<string, unknown>): Record<string, unknown> {
  let current = doc;
  for (;;) {
    const version = current['version'];
    if (typeof version !== 'number' || !Number.isInteger(version)) {
      throw new GraphFormatError('version', `expected an integer schema version, got ${JSON.stringify(version) ?? 'nothing'}`);
    }
    if (version === GRAPH_DOCUMENT_VERSION) return current;
    if (version > GRAPH_DOCUMENT_VERSION) {
      throw new GraphFormatError(
        'version',
        `document version ${version} is newer than this piagraph understands (${GRAPH_DOCUMENT_VERSION}); update piagraph`,
        'unsupported_version',
      );
    }
    const step = DOCUMENT_MIGRATIONS.find((migration) => migration.from === version);
    if (!step) throw new GraphFormatError('version', `no migration from document version ${version}`, 'unsupported_version');
    current = step.migrate(current);
  }
}
