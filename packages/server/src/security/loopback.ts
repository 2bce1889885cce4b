import { isIP } from 'node:net';

/** True for `localhost`, `127.0.0.0/8`, `::1` and the IPv4-mapped loopback, the hosts ComfyUI treats as local. */
export function isLoopbackHost(host: string | undefined | null): boolean {
  if (!host) return false;
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (h === '::1') return true;
  if (h.startsWith('::ffff:')) return isLoopbackHost(h.slice(7));
  return isIP(h) === 4 && h.startsWith('127.');
}
