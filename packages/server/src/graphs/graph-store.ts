import type { Database } from 'better-sqlite3';

/** A saved graph as the library lists it. */
export interface GraphSummary {
  name: string;
  revision: number;
  title: string | null;
  created_at: number;
  updated_at: number;
}

/** A saved graph with its document. */
export interface StoredGraph extends GraphSummary {
  document: unknown;
}

/** Thrown when a save is based on a revision that is no longer the current one. */
export class StaleRevisionError extends Error {
  override readonly name = 'StaleRevisionError';
  constructor(readonly graphName: string, readonly baseRevision: number, readonly currentRevision: number) {
    super(
      `Graph "${graphName}" is at revision ${currentRevision}, but this save was based on revision ${baseRevision}; ` +
        'load the current revision, merge, and save again',
    );
  }
}

/** Thrown when an existing graph is saved without saying which revision the save was based on. */
export class RevisionRequiredError extends Error {
  override readonly name = 'RevisionRequiredError';
  constructor(readonly graphName: string, readonly currentRevision: number) {
    super(
      `Graph "${graphName}" already exists (revision ${currentRevision}); send the revision your copy was based on ` +
        '(If-Match header or "revision" field) so a newer save is never overwritten',
    );
  }
}

/** Thrown when a graph name is not usable. */
export class InvalidGraphNameError extends Error {
  override readonly name = 'InvalidGraphNameError';
}

/** Names are shown in lists and put in URLs: printable, no slashes, at most 200 characters. */
export function checkGraphName(name: string): void {
  if (name.trim().length === 0) throw new InvalidGraphNameError('A graph name must not be empty');
  if (name.length > 200) throw new InvalidGraphNameError(`A graph name is at most 200 characters (got ${name.length})`);
  if (/[\\/\u0000-\u001f]/.test(name)) {
    throw new InvalidGraphNameError(`Graph name "${name}" must not contain slashes or control characters`);
  }
}

interface GraphRow {
  name: string;
  revision: number;
  document: string;
  created_at: number;
  updated_at: number;
}

/**
 * The graph library: named documents with a revision counter (optimistic concurrency, as Node-RED's `rev`). Every
 * saved revision is kept in `graph_revisions`, so an overwritten version can still be fetched.
 */
export class GraphStore {
  constructor(private readonly db: Database) {}

  list(): GraphSummary[] {
    const rows = this.db.prepare('SELECT * FROM graphs ORDER BY name').all() as GraphRow[];
    return rows.map((r) => summarize(r));
  }

  /** The current revision, or a past one when `revision` is given; undefined when absent. */
  get(name: string, revision?: number): StoredGraph | undefined {
    const row = this.db.prepare('SELECT * FROM graphs WHERE name = ?').get(name) as GraphRow | undefined;
    if (!row) return undefined;
    if (revision === undefined || revision === row.revision) return { ...summarize(row), document: JSON.parse(row.document) };
    const past = this.db
      .prepare('SELECT document, saved_at FROM graph_revisions WHERE name = ? AND revision = ?')
      .get(name, revision) as { document: string; saved_at: number } | undefined;
    if (!past) return undefined;
    const document = JSON.parse(past.document) as unknown;
    return { name, revision, title: titleOf(document), created_at: row.created_at, updated_at: past.saved_at, document };
  }

  /** The revision numbers saved for a graph, oldest first. */
  revisions(name: string): { revision: number; saved_at: number }[] {
    return this.db
      .prepare('SELECT revision, saved_at FROM graph_revisions WHERE name = ? ORDER BY revision')
      .all(name) as { revision: number; saved_at: number }[];
  }

  /**
   * Saves `document` as the next revision. A new name needs no base revision (or base 0); an existing one needs
   * the current revision as `baseRevision`, else `RevisionRequiredError` / `StaleRevisionError`.
   */
  save(name: string, document: unknown, baseRevision: number | undefined, now = Date.now()): StoredGraph {
    checkGraphName(name);
    return this.db.transaction(() => {
      const row = this.db.prepare('SELECT * FROM graphs WHERE name = ?').get(name) as GraphRow | undefined;
      const text = JSON.stringify(document);
      if (!row) {
        if (baseRevision !== undefined && baseRevision !== 0) throw new StaleRevisionError(name, baseRevision, 0);
        this.db
          .prepare('INSERT INTO graphs (name, revision, document, created_at, updated_at) VALUES (?, 1, ?, ?, ?)')
          .run(name, text, now, now);
        this.db.prepare('INSERT INTO graph_revisions VALUES (?, 1, ?, ?)').run(name, text, now);
        return this.get(name)!;
      }
      if (baseRevision === undefined) throw new RevisionRequiredError(name, row.revision);
      if (baseRevision !== row.revision) throw new StaleRevisionError(name, baseRevision, row.revision);
      const next = row.revision + 1;
      this.db
        .prepare('UPDATE graphs SET revision = ?, document = ?, updated_at = ? WHERE name = ?')
        .run(next, text, now, name);
      this.db.prepare('INSERT INTO graph_revisions VALUES (?, ?, ?, ?)').run(name, next, text, now);
      return this.get(name)!;
    })();
  }

  /**
   * Deletes a graph and its revisions. With `baseRevision` the delete only happens if it is still current
   * (`StaleRevisionError` otherwise). Returns false when there was no such graph.
   */
  delete(name: string, baseRevision?: number): boolean {
    return this.db.transaction(() => {
      const row = this.db.prepare('SELECT revision FROM graphs WHERE name = ?').get(name) as { revision: number } | undefined;
      if (!row) return false;
      if (baseRevision !== undefined && baseRevision !== row.revision) {
        throw new StaleRevisionError(name, baseRevision, row.revision);
      }
      this.db.prepare('DELETE FROM graphs WHERE name = ?').run(name);
      this.db.prepare('DELETE FROM graph_revisions WHERE name = ?').run(name);
      return true;
    })();
  }
}

function titleOf(document: unknown): string | null {
  const meta = (document as { metadata?: { title?: unknown } } | null)?.metadata;
  return typeof meta?.title === 'string' ? meta.title : null;
}

function summarize(row: GraphRow): GraphSummary {
  return {
    name: row.name,
    revision: row.revision,
    title: titleOf(JSON.parse(row.document)),
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}
