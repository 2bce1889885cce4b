import { ForbiddenError } from '../errors.js';
import { isLoopbackHost } from './loopback.js';

/**
 * ComfyUI's anti-CSRF rule (`create_origin_only_middleware`): when the Host header names a local host (loopback, or
 * one `isLocal` accepts: the names given with `--allow-host`) and an Origin header is present, their host[:port]
 * must agree, so a web page on another site cannot drive a local server through the user's browser. A side that
 * omits its port is compared by hostname only, as ComfyUI does for browsers that strip default ports.
 */
export function checkOrigin(
  hostHeader: string | undefined,
  originHeader: string | undefined,
  isLocal: (hostname: string) => boolean = isLoopbackHost,
): void {
  if (!hostHeader || !originHeader) return;
  const host = parseHostPort(hostHeader.toLowerCase());
  if (!host || !isLocal(host.hostname)) return;
  let origin: { hostname: string; port: string | null };
  try {
    const url = new URL(originHeader.toLowerCase());
    origin = { hostname: url.hostname.replace(/^\[|\]$/g, ''), port: url.port === '' ? null : url.port };
  } catch {
    // "null" (sandboxed frames, file://) and other unparsable origins are foreign by definition.
    throw new ForbiddenError('origin_mismatch', `Cross-origin request refused: Origin "${originHeader}" is not a URL`);
  }
  const samePorts = host.port === null || origin.port === null || host.port === origin.port;
  if (host.hostname !== origin.hostname || !samePorts) {
    throw new ForbiddenError(
      'origin_mismatch',
      `Cross-origin request refused: Origin "${originHeader}" does not match Host "${hostHeader}"`,
      'A local server only accepts browser requests from its own pages. Use the same host name in the address bar.',
    );
  }
}

/** True when `originHeader` names exactly the origin `hostHeader` was addressed as (same host and port). */
export function isSameOrigin(hostHeader: string | undefined, originHeader: string): boolean {
  if (!hostHeader) return false;
  const host = parseHostPort(hostHeader.toLowerCase());
  if (!host) return false;
  try {
    const url = new URL(originHeader.toLowerCase());
    const port = url.port === '' ? (url.protocol === 'https:' ? '443' : '80') : url.port;
    // A Host without a port (behind a proxy) is compared by name alone.
    return url.hostname.replace(/^\[|\]$/g, '') === host.hostname && (host.port === null || port === host.port);
  } catch {
    return false;
  }
}

function parseHostPort(value: string): { hostname: string; port: string | null } | undefined {
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(value);
  if (!m) return undefined;
  return { hostname: m[1]!.replace(/^\[|\]$/g, ''), port: m[2] ?? null };
}
