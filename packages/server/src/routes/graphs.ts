import type { IncomingMessage } from 'node:http';
import { GraphCoreError, parseGraphDocument } from '@piagraph/graph-core';
import { BadRequestError, ConflictError, NotFoundError, PreconditionRequiredError } from '../errors.js';
import {
  InvalidGraphNameError,
  RevisionRequiredError,
  StaleRevisionError,
  type StoredGraph,
} from '../graphs/graph-store.js';
import { readJsonObject } from '../http/body.js';
import { sendJson } from '../http/respond.js';
import type { Router } from '../http/router.js';
import type { ServerServices } from '../services.js';
import { intParam } from './history.js';
import { queueFromBody } from './prompt.js';

/** The `If-Match` revision (`"3"`, `3` or `W/"3"`), if any. */
function ifMatchRevision(req: IncomingMessage): number | undefined {
  const header = req.headers['if-match'];
  if (header === undefined) return undefined;
  const m = /^(?:W\/)?"?(\d+)"?$/.exec(header.trim());
  if (!m) throw new BadRequestError('invalid_header', `If-Match must be a revision number like "3", got ${header}`);
  return Number(m[1]);
}

function graphHeaders(graph: StoredGraph): Record<string, string> {
  return { ETag: `"${graph.revision}"` };
}

function summary(graph: StoredGraph): Record<string, unknown> {
  const { document: _document, ...rest } = graph;
  return rest;
}

/** Maps the graph store's errors to HTTP: 409 with the current revision for a stale save, 428 without a base. */
function translate(err: unknown): never {
  if (err instanceof StaleRevisionError) {
    throw new ConflictError('revision_conflict', err.message, {
      current_revision: err.currentRevision,
      base_revision: err.baseRevision,
    });
  }
  if (err instanceof RevisionRequiredError) {
    throw new PreconditionRequiredError(err.message, { current_revision: err.currentRevision });
  }
  if (err instanceof InvalidGraphNameError) throw new BadRequestError('invalid_name', err.message);
  throw err;
}

/**
 * The graph library: `GET /api/graphs`, `GET/PUT/DELETE /api/graphs/{name}` (optimistic concurrency on the revision),
 * `GET /api/graphs/{name}/revisions`, and `POST /api/graphs/run` (by `name` or with a `graph` body).
 */
export function registerGraphRoutes(router: Router, s: ServerServices): void {
  router.get('/graphs', ({ res }) => {
    sendJson(res, 200, { graphs: s.graphs.list() });
  });

  router.get('/graphs/{name}', ({ res, params, query }) => {
    const revision = intParam(query, 'revision');
    const graph = s.graphs.get(params.name!, revision);
    if (!graph) {
      throw new NotFoundError(
        revision === undefined ? `No graph named "${params.name}"` : `Graph "${params.name}" has no revision ${revision}`,
      );
    }
    sendJson(res, 200, graph, graphHeaders(graph));
  });

  router.get('/graphs/{name}/revisions', ({ res, params }) => {
    const revisions = s.graphs.revisions(params.name!);
    if (revisions.length === 0) throw new NotFoundError(`No graph named "${params.name}"`);
    sendJson(res, 200, { name: params.name, revisions });
  });

  router.put('/graphs/{name}', async ({ req, res, params }) => {
    const body = await readJsonObject(req);
    // Either the document itself (revision in If-Match) or `{ document, revision }`.
    const wrapped = body.format !== 'piagraph' && 'document' in body;
    const raw = wrapped ? body.document : body;
    let base = ifMatchRevision(req);
    if (wrapped && body.revision !== undefined && body.revision !== null) {
      if (typeof body.revision !== 'number' || !Number.isInteger(body.revision) || body.revision < 0) {
        throw new BadRequestError('invalid_field', '"revision" must be an integer ≥ 0');
      }
      if (base !== undefined && base !== body.revision) {
        throw new BadRequestError('invalid_field', `If-Match (${base}) and "revision" (${body.revision}) disagree`);
      }
      base = body.revision;
    }
    let document;
    try {
      document = parseGraphDocument(raw);
    } catch (err) {
      // TypeError/RangeError: the parser tripped over a shape it did not foresee; the document is still the client's.
      if (err instanceof GraphCoreError || err instanceof TypeError || err instanceof RangeError) {
        throw new BadRequestError('invalid_graph', `Not a valid graph document: ${err.message}`);
      }
      throw err;
    }
    const existed = s.graphs.get(params.name!) !== undefined;
    let saved: StoredGraph;
    try {
      saved = s.graphs.save(params.name!, document, base);
    } catch (err) {
      translate(err);
    }
    sendJson(res, existed ? 200 : 201, summary(saved), graphHeaders(saved));
  });

  router.delete('/graphs/{name}', ({ req, res, params }) => {
    let deleted: boolean;
    try {
      deleted = s.graphs.delete(params.name!, ifMatchRevision(req));
    } catch (err) {
      translate(err);
    }
    if (!deleted) throw new NotFoundError(`No graph named "${params.name}"`);
    sendJson(res, 200, { deleted: params.name });
  });

  router.post('/graphs/run', async ({ req, res }) => {
    const body = await readJsonObject(req);
    let graph: unknown = body.graph;
    let workflowId: string | null = null;
    if (typeof body.name === 'string') {
      const revision = typeof body.revision === 'number' ? body.revision : undefined;
      const stored = s.graphs.get(body.name, revision);
      if (!stored) throw new NotFoundError(`No graph named "${body.name}"${revision !== undefined ? ` at revision ${revision}` : ''}`);
      graph = stored.document;
      workflowId = body.name;
    } else if (graph === undefined) {
      throw new BadRequestError('missing_field', 'Give the graph to run as "name" (from the library) or "graph" (a document)');
    }
    await queueFromBody(s, res, body, graph, workflowId);
  });
}

