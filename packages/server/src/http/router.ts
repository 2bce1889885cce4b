import type { IncomingMessage, ServerResponse } from 'node:http';
import { MethodNotAllowedError } from '../errors.js';

/**
 * A small explicit router. About thirty fixed routes with at most two `{param}` segments do not need a framework:
 * a list of compiled patterns keeps every route findable by grepping its path, and it adds ComfyUI's rule that each
 * route answers both at `/x` and at `/api/x` in one place.
 */

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';

/** What a handler sees of one request. */
export interface RequestContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly method: string;
  /** The path without the `/api` prefix and without the query string, percent-decoded per segment. */
  readonly path: string;
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
}

/** A handler writes its response through `ctx.res` (usually with the helpers of `respond.ts`) or throws an `HttpError`. */
export type Handler = (ctx: RequestContext) => unknown;

interface Route {
  method: Method;
  pattern: string;
  segments: string[];
  handler: Handler;
}

/** The outcome of matching a path: a handler with its params, a path known under other methods, or nothing. */
export type RouteMatch =
  | { kind: 'found'; handler: Handler; params: Record<string, string> }
  | { kind: 'wrong-method'; allowed: Method[] }
  | { kind: 'none' };

export class Router {
  private readonly routes: Route[] = [];

  /** Registers `handler` for `method pattern`; `pattern` is unprefixed (`/history/{id}`) and also served under `/api`. */
  add(method: Method, pattern: string, handler: Handler): this {
    this.routes.push({ method, pattern, segments: splitPath(pattern), handler });
    return this;
  }

  get(pattern: string, handler: Handler): this {
    return this.add('GET', pattern, handler);
  }
  post(pattern: string, handler: Handler): this {
    return this.add('POST', pattern, handler);
  }
  put(pattern: string, handler: Handler): this {
    return this.add('PUT', pattern, handler);
  }
  delete(pattern: string, handler: Handler): this {
    return this.add('DELETE', pattern, handler);
  }
  patch(pattern: string, handler: Handler): this {
    return this.add('PATCH', pattern, handler);
  }

  /** Every registered `METHOD pattern`, for diagnostics and the route table test. */
  list(): string[] {
    return this.routes.map((r) => `${r.method} ${r.pattern}`);
  }

  /**
   * Finds the route for a request path. `/api/x` is tried as `/x`; a `HEAD` request matches `GET` routes. Literal
   * segments win over `{param}` segments, so `/api/graphs/run` is not read as a graph named `run`.
   */
  match(method: string, rawPath: string): RouteMatch {
    const path = stripApiPrefix(rawPath);
    const segments = splitPath(path);
    const wanted = method === 'HEAD' ? 'GET' : method;
    let best: { route: Route; params: Record<string, string>; literals: number } | undefined;
    const allowed = new Set<Method>();
    for (const route of this.routes) {
      const params = matchSegments(route.segments, segments);
      if (!params) continue;
      if (route.method !== wanted) {
        allowed.add(route.method);
        continue;
      }
      const literals = route.segments.filter((s) => !isParam(s)).length;
      if (!best || literals > best.literals) best = { route, params, literals };
    }
    if (best) return { kind: 'found', handler: best.route.handler, params: best.params };
    if (allowed.size > 0) return { kind: 'wrong-method', allowed: [...allowed] };
    return { kind: 'none' };
  }

  /** Throws the 405 for a `wrong-method` match; a helper so the server's dispatch stays linear. */
  static methodNotAllowed(method: string, path: string, allowed: Method[]): never {
    throw new MethodNotAllowedError(method, path, allowed);
  }
}

/** `/api/x` → `/x`; `/api` → `/`. */
export function stripApiPrefix(path: string): string {
  if (path === '/api') return '/';
  return path.startsWith('/api/') ? path.slice(4) : path;
}

function splitPath(path: string): string[] {
  return path.split('/').filter((s) => s.length > 0);
}

function isParam(segment: string): boolean {
  return segment.startsWith('{') && segment.endsWith('}');
}

function matchSegments(pattern: string[], actual: string[]): Record<string, string> | undefined {
  if (pattern.length !== actual.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i]!;
    const a = actual[i]!;
    if (isParam(p)) {
      let decoded: string;
      try {
        decoded = decodeURIComponent(a);
      } catch {
        return undefined;
      }
      params[p.slice(1, -1)] = decoded;
    } else if (p !== a) {
      return undefined;
    }
  }
  return params;
}
