import type { Server } from 'node:http';
import { StartupError } from '../startup-error.js';

/** The port cannot be listened on: taken by another process, or not allowed to this user. */
export class PortUnavailableError extends StartupError {
  override readonly name = 'PortUnavailableError';
  constructor(readonly host: string, readonly port: number, readonly code: string) {
    super(
      code === 'EADDRINUSE'
        ? `Port ${port} on ${host} is already in use by another program (perhaps another piagraph server); ` +
            'stop it, or choose another port with --port N (--port 0 picks a free one)'
        : `Cannot listen on ${host}:${port} (${code}); choose another port with --port N or another address with --listen`,
    );
  }
}

/** Starts `server` listening; a busy or forbidden port becomes `PortUnavailableError`, not a stack trace. */
export function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE' || err.code === 'EACCES' || err.code === 'EADDRNOTAVAIL') {
        reject(new PortUnavailableError(host, port, err.code));
      } else {
        reject(err);
      }
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}
