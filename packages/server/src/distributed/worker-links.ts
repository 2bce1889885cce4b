import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { PreviewImage } from '@piagraph/graph-core';
import type { OfferedOptions } from './offered-options.js';
import { packMismatch, type PackIdentity } from './pack-identity.js';
import {
  CLOSE_REFUSED,
  PROTOCOL_VERSION,
  decodePreviewFrame,
  type EventMessage,
  type HelloMessage,
  type ServerMessage,
  type WorkerMessage,
} from './protocol.js';

/** A connected worker as the server sees it. */
export interface WorkerLink {
  id: string;
  name: string;
  host: string;
  pid: number;
  device: string;
  busy: string | null;
  loadedModels: string[];
  connectedAt: number;
  socket: WebSocket;
}

/** What the links report to the dispatcher. */
export interface WorkerLinkHooks {
  onEvent(worker: WorkerLink, message: EventMessage): void;
  onPreview(worker: WorkerLink, promptId: string, lock: string, node: string, image: PreviewImage): void;
  /** A worker connected, changed state, or left. */
  onChange(): void;
}

/** Previews are the largest messages a worker sends; a worker has no reason to send more than this at once. */
const MAX_WORKER_MESSAGE_BYTES = 16 * 1024 * 1024;

/**
 * The server's end of the worker links: checks each worker's hello (protocol, node packs) and refuses a mismatch with
 * a message saying what differs, keeps what each worker offers and has loaded, and relays its events.
 */
export class WorkerLinks {
  private readonly wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: MAX_WORKER_MESSAGE_BYTES });
  private readonly links = new Map<string, WorkerLink>();

  constructor(
    private readonly serverId: string,
    private readonly queueName: string,
    private readonly packs: readonly PackIdentity[],
    private readonly offered: OfferedOptions,
    private readonly hooks: WorkerLinkHooks,
    private readonly log: (line: string) => void,
  ) {}

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws));
  }

  list(): WorkerLink[] {
    return [...this.links.values()];
  }

  get(id: string): WorkerLink | undefined {
    return this.links.get(id);
  }

  /** The worker running `promptId`, by what the workers last said. */
  runnerOf(promptId: string): WorkerLink | undefined {
    return this.list().find((w) => w.busy === promptId);
  }

  send(worker: WorkerLink, message: ServerMessage): void {
    if (worker.socket.readyState === worker.socket.OPEN) worker.socket.send(JSON.stringify(message));
  }

  broadcast(message: ServerMessage): void {
    for (const w of this.links.values()) this.send(w, message);
  }

  async close(): Promise<void> {
    for (const w of this.links.values()) w.socket.close(1001, 'server stopping');
    this.links.clear();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private accept(socket: WebSocket): void {
    let link: WorkerLink | undefined;
    socket.on('error', () => socket.terminate());
    socket.on('close', () => {
      if (link && this.links.get(link.id) === link) {
        this.links.delete(link.id);
        this.offered.delete(link.id);
        this.log(`worker ${link.name} (${link.host}, pid ${link.pid}) disconnected`);
        this.hooks.onChange();
      }
    });
    socket.on('message', (data: RawData, isBinary: boolean) => {
      if (isBinary) {
        if (!link) return;
        const preview = decodePreviewFrame(Buffer.isBuffer(data) ? data : Buffer.concat(data as Buffer[]));
        if (preview) this.hooks.onPreview(link, preview.header.promptId, preview.header.lock, preview.header.node, preview.image);
        return;
      }
      let message: WorkerMessage;
      try {
        message = JSON.parse(data.toString()) as WorkerMessage;
      } catch {
        return;
      }
      if (!link) {
        if (message.type !== 'hello') return this.refuse(socket, 'the first message must be "hello"');
        link = this.welcome(socket, message);
        return;
      }
      if (message.type === 'state') {
        link.busy = message.busy;
        link.loadedModels = message.loadedModels;
        if (message.combos) this.offered.set(link.id, message.combos);
        this.hooks.onChange();
      } else if (message.type === 'event') this.hooks.onEvent(link, message);
    });
  }

  private welcome(socket: WebSocket, hello: HelloMessage): WorkerLink | undefined {
    if (hello.protocol !== PROTOCOL_VERSION) {
      this.refuse(socket, `the worker speaks protocol ${hello.protocol}, the server ${PROTOCOL_VERSION}: run the same piagraph version on both`);
      return undefined;
    }
    const mismatch = packMismatch(this.packs, hello.packs ?? []);
    if (mismatch) {
      this.log(`refused worker ${hello.name} (${hello.host}, pid ${hello.pid}): ${mismatch}`);
      this.refuse(socket, mismatch);
      return undefined;
    }
    const previous = this.links.get(hello.workerId);
    if (previous) previous.socket.close(1000, 'replaced by a new connection of the same worker');
    const link: WorkerLink = {
      id: hello.workerId,
      name: hello.name,
      host: hello.host,
      pid: hello.pid,
      device: hello.device,
      busy: hello.busy,
      loadedModels: hello.loadedModels ?? [],
      connectedAt: Date.now(),
      socket,
    };
    this.links.set(link.id, link);
    if (hello.combos) this.offered.set(link.id, hello.combos);
    this.send(link, { type: 'welcome', serverId: this.serverId, queue: this.queueName });
    this.log(`worker ${link.name} (${link.host}, pid ${link.pid}, ${link.device}) connected`);
    this.hooks.onChange();
    return link;
  }

  private refuse(socket: WebSocket, message: string): void {
    const refusal: ServerMessage = { type: 'refused', message };
    socket.send(JSON.stringify(refusal), () => socket.close(CLOSE_REFUSED, 'refused'));
  }
}
