import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';

/** What the server tells a client about itself in answer to `feature_flags`. */
export interface ServerFeatureFlags {
  supports_preview_metadata: boolean;
  max_upload_size: number;
  [key: string]: unknown;
}

interface Client {
  sid: string;
  socket: WebSocket;
  supportsPreviewMetadata: boolean;
  lastSent: number;
}

/** Hooks the hub calls so it needs to know nothing about the queue. */
export interface WsHubHooks {
  /** `status.exec_info.queue_remaining`. */
  queueRemaining(): number;
  /** Called after the welcome `status`, e.g. to tell a reconnecting owner which node is running. */
  onConnect?(sid: string): void;
}

/** How much the server keeps for a client that does not read. */
export interface WsBufferLimits {
  /** Over this many unsent bytes, previews and progress text (binary frames) are dropped for that client. */
  previewBytes: number;
  /**
   * Over this many unsent bytes the client is disconnected: it stays that far behind, and every further event would
   * only grow the server. It reconnects and resumes from `/queue` and `/history`, as after any network drop.
   */
  maxBytes: number;
}

export const DEFAULT_WS_BUFFER_LIMITS: WsBufferLimits = { previewBytes: 4 * 1024 * 1024, maxBytes: 32 * 1024 * 1024 };

/**
 * The largest message a client may send. Clients send one small `feature_flags` message; `ws` would otherwise accept
 * 100 MiB, all buffered before the server sees it. A larger one closes the connection with 1009 (message too big).
 */
export const MAX_INBOUND_MESSAGE_BYTES = 64 * 1024;

/**
 * The WebSocket side of the server: one socket per client id, events addressed to one client or broadcast.
 * Sends to a client that is gone are dropped silently: a run never depends on anyone listening.
 */
export class WsHub {
  private readonly wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: MAX_INBOUND_MESSAGE_BYTES });
  private readonly clients = new Map<string, Client>();
  private keepaliveTimer: NodeJS.Timeout | undefined;
  private statusPending: NodeJS.Immediate | undefined;

  constructor(
    private readonly hooks: WsHubHooks,
    private readonly features: ServerFeatureFlags,
    /** Idle sockets get a `status` after this long, so clients with inactivity timers (saintno: 10 s) stay connected. */
    private readonly keepaliveMs = 5000,
    private readonly limits: WsBufferLimits = DEFAULT_WS_BUFFER_LIMITS,
    /** Where the hub reports a client it disconnected. */
    private readonly log: (line: string) => void = () => {},
  ) {
    if (keepaliveMs > 0) {
      this.keepaliveTimer = setInterval(() => this.keepalive(), Math.max(250, Math.floor(keepaliveMs / 2)));
      this.keepaliveTimer.unref();
    }
  }

  /** Number of connected clients. */
  get size(): number {
    return this.clients.size;
  }

  /** True when a client with this id is connected. */
  has(sid: string): boolean {
    return this.clients.has(sid);
  }

  /** Completes a WebSocket upgrade; `clientId` from the query is reused as the sid (replacing an older socket). */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, clientId: string | null): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, clientId));
  }

  private accept(socket: WebSocket, clientId: string | null): void {
    const sid = clientId && clientId.length > 0 ? clientId : randomUUID().replace(/-/g, '');
    const previous = this.clients.get(sid);
    if (previous) {
      this.clients.delete(sid);
      previous.socket.close(1000, 'replaced by a new connection with the same clientId');
    }
    const client: Client = { sid, socket, supportsPreviewMetadata: false, lastSent: 0 };
    this.clients.set(sid, client);
    let first = true;
    socket.on('message', (data: RawData, isBinary: boolean) => {
      const wasFirst = first;
      first = false;
      if (!isBinary && wasFirst) this.onFirstMessage(client, data);
    });
    socket.on('close', () => {
      if (this.clients.get(sid) === client) this.clients.delete(sid);
    });
    socket.on('error', () => socket.terminate());
    this.send(sid, 'status', { ...this.statusData(), sid });
    this.hooks.onConnect?.(sid);
  }

  /** ComfyUI reads only the first text message, and only if it is `feature_flags`. */
  private onFirstMessage(client: Client, data: RawData): void {
    let msg: unknown;
    try {
      msg = JSON.parse(data.toString());
    } catch {
      return;
    }
    // Any JSON may arrive (null, a number, an array): only an object saying feature_flags counts.
    if (typeof msg !== 'object' || msg === null || (msg as { type?: unknown }).type !== 'feature_flags') return;
    const flags = (msg as { data?: unknown }).data;
    client.supportsPreviewMetadata =
      typeof flags === 'object' && flags !== null && (flags as { supports_preview_metadata?: unknown }).supports_preview_metadata === true;
    this.send(client.sid, 'feature_flags', this.features);
  }

  /** Sends a `{type, data}` text frame to one client; a no-op when it is not connected. */
  send(sid: string | null | undefined, type: string, data: unknown): void {
    if (!sid) return;
    const client = this.clients.get(sid);
    if (client) this.write(client, JSON.stringify({ type, data }));
  }

  /** Sends a text frame to every client. */
  broadcast(type: string, data: unknown): void {
    const text = JSON.stringify({ type, data });
    for (const client of this.clients.values()) this.write(client, text);
  }

  /**
   * The `status` broadcast that follows a queue change. Changes made in one event-loop turn (a burst of enqueues,
   * a job ending and the next starting) share one broadcast sent at the end of the turn. `ownerNow` gets its copy
   * at once: the worker needs it between a prompt's last event and its final `executing`, ComfyUI's order.
   */
  broadcastStatus(ownerNow?: string | null): void {
    if (ownerNow) this.send(ownerNow, 'status', this.statusData());
    this.statusPending ??= setImmediate(() => {
      this.statusPending = undefined;
      this.broadcast('status', this.statusData());
    });
  }

  /**
   * Sends a binary frame; `encode` picks the encoding by whether the client negotiated preview metadata.
   * Dropped when the client's send buffer is backed up, so a slow client cannot make the server hoard previews.
   */
  sendBinary(sid: string | null | undefined, encode: (supportsPreviewMetadata: boolean) => Buffer): void {
    if (!sid) return;
    const client = this.clients.get(sid);
    if (!client || client.socket.bufferedAmount > this.limits.previewBytes) return;
    this.write(client, encode(client.supportsPreviewMetadata));
  }

  private write(client: Client, payload: string | Buffer): void {
    if (client.socket.readyState !== client.socket.OPEN) return;
    const size = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
    if (client.socket.bufferedAmount + size > this.limits.maxBytes) {
      this.dropSlowClient(client);
      return;
    }
    client.lastSent = Date.now();
    client.socket.send(payload);
  }

  /**
   * Disconnects a client too far behind. `terminate`, not `close`: a closing handshake would wait behind the very
   * bytes the client is not reading, and the buffer is freed only when the socket is destroyed.
   */
  private dropSlowClient(client: Client): void {
    if (this.clients.get(client.sid) === client) this.clients.delete(client.sid);
    this.log(
      `WebSocket client ${client.sid} disconnected: ${client.socket.bufferedAmount} bytes of events were waiting for it ` +
        `(limit ${this.limits.maxBytes}); it can reconnect`,
    );
    client.socket.terminate();
  }

  private keepalive(): void {
    const now = Date.now();
    for (const client of this.clients.values()) {
      // A client with events still waiting is not idle: a keepalive would only add to its backlog.
      if (now - client.lastSent < this.keepaliveMs || client.socket.bufferedAmount > 0) continue;
      this.write(client, JSON.stringify({ type: 'status', data: this.statusData() }));
    }
  }

  private statusData(): { status: { exec_info: { queue_remaining: number } } } {
    return { status: { exec_info: { queue_remaining: this.hooks.queueRemaining() } } };
  }

  /** Closes every socket and stops the keepalive timer. */
  async close(): Promise<void> {
    if (this.keepaliveTimer) clearInterval(this.keepaliveTimer);
    if (this.statusPending) clearImmediate(this.statusPending);
    for (const client of this.clients.values()) client.socket.terminate();
    this.clients.clear();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}
