import { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { WebSocket } from 'ws';
import { StartupError } from '../../startup-error.js';
import {
  CLOSE_REFUSED,
  WORKER_WS_PATH,
  encodePreviewFrame,
  type ClaimAnswer,
  type HelloMessage,
  type PreviewHeader,
  type ServerMessage,
  type WorkerMessage,
} from '../protocol.js';

/** A claim or finish refused because this attempt no longer holds the job (another worker has it now). */
export class StaleAttemptError extends Error {
  override readonly name = 'StaleAttemptError';
}

export interface ServerLinkEvents {
  interrupt: [promptId: string];
  free: [request: { unloadModels: boolean; freeMemory: boolean }];
  /** The server refused this worker (its packs differ): it must stop. */
  refused: [message: string];
  connected: [];
  disconnected: [];
}

/**
 * The worker's end of the link to the server: the WebSocket (hello, state, events; interrupts and frees come back),
 * reconnected whenever it drops, and the HTTP calls of a job (claim, output files, finish), retried while the server
 * is unreachable so a server restart loses no result.
 */
export class ServerLink extends EventEmitter<ServerLinkEvents> {
  private socket: WebSocket | undefined;
  private closed = false;
  private reconnectTimer: NodeJS.Timeout | undefined;
  readonly base: string;

  constructor(
    serverUrl: string,
    private readonly token: string | undefined,
    private readonly hello: () => HelloMessage,
    private readonly log: (line: string) => void,
  ) {
    super();
    this.base = serverUrl.replace(/\/+$/, '');
  }

  get connected(): boolean {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  /** Connects the first time; rejects with a message naming the problem (unreachable, token, refused packs). */
  async start(): Promise<void> {
    await this.connect(true);
  }

  private headers(): Record<string, string> {
    return this.token !== undefined ? { Authorization: `Bearer ${this.token}` } : {};
  }

  private connect(first: boolean): Promise<void> {
    const wsUrl = `${this.base.replace(/^http/, 'ws')}${WORKER_WS_PATH}`;
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const fail = (message: string) => {
        if (settled) return;
        settled = true;
        reject(new StartupError(message));
      };
      const socket = new WebSocket(wsUrl, { headers: this.headers(), perMessageDeflate: false, handshakeTimeout: 10_000 });
      this.socket = socket;
      socket.on('unexpected-response', (_req, res: IncomingMessage) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => {
          let detail = body.trim();
          try {
            detail = (JSON.parse(body) as { error?: { message?: string } }).error?.message ?? detail;
          } catch {
            // Not JSON: shown as it came.
          }
          const what =
            res.statusCode === 401
              ? `The server at ${this.base} refused the token (${detail}); start the worker with the server's --token`
              : `The server at ${this.base} answered ${res.statusCode} to the worker link (${detail}); is it a piagraph server started with --redis?`;
          if (first) fail(what);
          else this.log(what);
          socket.terminate();
        });
      });
      socket.on('open', () => socket.send(JSON.stringify(this.hello())));
      socket.on('message', (data, isBinary) => {
        if (isBinary) return;
        let message: ServerMessage;
        try {
          message = JSON.parse(data.toString()) as ServerMessage;
        } catch {
          return;
        }
        switch (message.type) {
          case 'welcome':
            if (!settled) {
              settled = true;
              resolve();
            }
            this.emit('connected');
            return;
          case 'refused':
            if (first) fail(`The server refused this worker: ${message.message}`);
            else this.emit('refused', message.message);
            return;
          case 'interrupt':
            this.emit('interrupt', message.promptId);
            return;
          case 'free':
            this.emit('free', { unloadModels: message.unloadModels, freeMemory: message.freeMemory });
            return;
        }
      });
      socket.on('error', (err) => {
        if (first) fail(`Cannot reach the server at ${this.base} (${err.message}); check --server`);
      });
      socket.on('close', (code) => {
        if (this.socket === socket) this.socket = undefined;
        if (first && !settled) return fail(`The server at ${this.base} closed the worker link (code ${code})`);
        if (settled) this.emit('disconnected');
        if (!this.closed && code !== CLOSE_REFUSED) this.scheduleReconnect();
      });
    });
  }

  /** Tries again in a second; every failed try closes its socket, whose close schedules the next. */
  private scheduleReconnect(): void {
    if (this.closed || this.reconnectTimer) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.connect(false).catch(() => {});
    }, 1000);
  }

  send(message: WorkerMessage): void {
    if (this.connected) this.socket!.send(JSON.stringify(message));
  }

  sendPreview(header: PreviewHeader, data: Uint8Array): void {
    if (this.connected) this.socket!.send(encodePreviewFrame(header, data));
  }

  /** An HTTP call to the server, retried while it is unreachable or answers 5xx; 409 stale_attempt throws `StaleAttemptError`. */
  async call<T>(method: string, path: string, body: unknown, signal?: AbortSignal): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      if (this.closed && signal?.aborted) throw new Error('worker stopping');
      let res: Response;
      try {
        res = await fetch(`${this.base}${path}`, {
          method,
          headers: { ...this.headers(), ...(body instanceof Uint8Array || body === undefined ? {} : { 'Content-Type': 'application/json' }) },
          // A Node Buffer/Uint8Array is a valid fetch body; the DOM typings in this build do not say so.
          body: body instanceof Uint8Array ? (body as unknown as Blob) : body === undefined ? null : JSON.stringify(body),
        });
      } catch (err) {
        if (attempt % 10 === 0) this.log(`server unreachable (${(err as Error).message}); retrying ${method} ${path}`);
        await sleep(Math.min(2000, 200 * (attempt + 1)));
        continue;
      }
      const text = await res.text();
      if (res.ok) return JSON.parse(text) as T;
      if (res.status === 409 && text.includes('stale_attempt')) throw new StaleAttemptError(text);
      if (res.status >= 500 || res.status === 401) {
        if (attempt % 10 === 0) this.log(`server answered ${res.status} to ${method} ${path}: ${text.slice(0, 300)}; retrying`);
        await sleep(Math.min(2000, 200 * (attempt + 1)));
        continue;
      }
      throw new Error(`${method} ${path} failed with ${res.status}: ${text.slice(0, 500)}`);
    }
  }

  claim(body: { promptId: string; jobId: string; lock: string; workerId: string }): Promise<ClaimAnswer> {
    return this.call('POST', '/api/workers/claim', body);
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    this.socket?.close(1000, 'worker stopping');
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
