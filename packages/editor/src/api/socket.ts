import { parseBinaryFrame, parseTextMessage, type BinaryMessage, type ServerMessage } from './messages.js';

export interface SocketHandlers {
  message(msg: ServerMessage): void;
  binary(msg: BinaryMessage): void;
  connection(open: boolean): void;
}

/**
 * The `/ws?clientId=` connection, reopened with backoff when it drops. The server's first `status` frame may
 * carry a `sid`; the client adopts it as its id, as ComfyUI clients do.
 */
export class ServerSocket {
  private ws: WebSocket | undefined;
  private closed = false;
  private retry = 500;

  constructor(
    public clientId: string,
    private readonly handlers: SocketHandlers,
    private readonly url = (id: string) =>
      `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws?clientId=${encodeURIComponent(id)}`,
  ) {}

  open(): void {
    this.closed = false;
    const ws = new WebSocket(this.url(this.clientId));
    ws.binaryType = 'arraybuffer';
    ws.onopen = () => {
      this.retry = 500;
      ws.send(JSON.stringify({ type: 'feature_flags', data: { supports_preview_metadata: true } }));
      this.handlers.connection(true);
    };
    ws.onmessage = (event: MessageEvent<string | ArrayBuffer>) => {
      if (typeof event.data === 'string') {
        const msg = parseTextMessage(event.data);
        if (!msg) return;
        if (msg.type === 'status' && msg.data.sid) this.clientId = msg.data.sid;
        this.handlers.message(msg);
      } else {
        const msg = parseBinaryFrame(event.data);
        if (msg) this.handlers.binary(msg);
      }
    };
    ws.onclose = () => {
      this.handlers.connection(false);
      if (this.closed) return;
      setTimeout(() => this.open(), this.retry);
      this.retry = Math.min(this.retry * 2, 10_000);
    };
    this.ws = ws;
  }

  close(): void {
    this.closed = true;
    this.ws?.close();
  }
}
