import { ForbiddenError } from '../errors.js';
import { isLoopbackHost } from './loopback.js';

/** Which `Host` names a server answers to. */
export interface HostPolicy {
  /** True when the server listens on a loopback address: then only local names (and `allowed`) are answered. */
  loopbackOnly: boolean;
  /** Extra host names the user allowed (`--allow-host`), lower-case, without port. */
  allowed: ReadonlySet<string>;
}

/** The host name of a `Host` header (`name:port`, `[v6]:port`), lower-case; undefined when it is malformed. */
export function hostNameOf(hostHeader: string): string | undefined {
  const m = /^(\[[^\]]+\]|[^:[\]]+)(?::(\d+))?$/.exec(hostHeader.trim().toLowerCase());
  return m ? m[1]!.replace(/^\[|\]$/g, '') : undefined;
}

/** True when `hostname` is one the server treats as its own local name: loopback, or allowed by the user. */
export function isLocalName(hostname: string, policy: HostPolicy): boolean {
  return isLoopbackHost(hostname) || policy.allowed.has(hostname.replace(/\.$/, ''));
}

/**
 * DNS rebinding protection, as ComfyUI and Jupyter do it: a server listening on loopback answers only requests whose
 * `Host` is a loopback name (or one the user allowed). A web page on `evil.example` whose name its owner re-points at
 * 127.0.0.1 is same-origin with itself, so the Origin check cannot catch it; its `Host` header still says
 * `evil.example`. A request without `Host` (HTTP/1.0 tools) is not from a browser and passes.
 */
export function checkHost(hostHeader: string | undefined, policy: HostPolicy): void {
  if (!policy.loopbackOnly || hostHeader === undefined) return;
  const hostname = hostNameOf(hostHeader);
  if (hostname !== undefined && isLocalName(hostname, policy)) return;
  throw new ForbiddenError(
    'host_not_allowed',
    `Host "${hostHeader.slice(0, 200)}" is not allowed: this server listens on a loopback address and answers only to ` +
      'localhost, 127.0.0.1 and ::1 (protection against DNS rebinding)',
    `Open it as http://127.0.0.1:<port>/, or start it with --allow-host ${hostname ?? '<name>'} to accept that name.`,
  );
}
