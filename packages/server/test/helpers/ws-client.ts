import WebSocket from 'ws';

/** A received text event, or a binary frame. */
export type WsMessage = { type: string; data: Record<string, unknown> } | { binary: Buffer };

/** A raw WebSocket that records everything it receives, for asserting on order and shape. */
export class RecordingSocket {
  readonly messages: WsMessage[] = [];
  private waiters: (() => void)[] = [];

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      this.messages.push(isBinary ? { binary: Buffer.from(data) } : (JSON.parse(data.toString()) as WsMessage));
      for (const w of this.waiters.splice(0)) w();
    });
  }

  /** Connects to `/ws?clientId=` and resolves once the welcome `status` arrived. */
  static async connect(baseUrl: string, clientId?: string, options: { path?: string; query?: string; featureFlags?: boolean } = {}): Promise<RecordingSocket> {
    const params = new URLSearchParams();
    if (clientId) params.set('clientId', clientId);
    const query = [params.toString(), options.query ?? ''].filter((s) => s.length > 0).join('&');
    const url = `${baseUrl.replace(/^http/, 'ws')}${options.path ?? '/ws'}${query ? `?${query}` : ''}`;
    const socket = new WebSocket(url);
    const client = new RecordingSocket(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    if (options.featureFlags) socket.send(JSON.stringify({ type: 'feature_flags', data: { supports_preview_metadata: true } }));
    await client.waitFor((m) => 'type' in m && m.type === 'status');
    return client;
  }

  /** Text events only. */
  get events(): { type: string; data: Record<string, unknown> }[] {
    return this.messages.filter((m): m is { type: string; data: Record<string, unknown> } => 'type' in m);
  }

  /** Events about one prompt (every event that carries its prompt_id). */
  eventsFor(promptId: string): { type: string; data: Record<string, unknown> }[] {
    return this.events.filter((e) => e.data?.prompt_id === promptId);
  }

  /** Resolves with the first message matching `predicate` (already received or future). */
  async waitFor(predicate: (m: WsMessage) => boolean, timeoutMs = 5000): Promise<WsMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.find(predicate);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for a WebSocket message; got ${JSON.stringify(this.events.map((e) => e.type))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Waits for the final `executing {node: null}` of a prompt. */
  waitForDone(promptId: string, timeoutMs = 5000): Promise<WsMessage> {
    return this.waitFor((m) => 'type' in m && m.type === 'executing' && m.data.node === null && m.data.prompt_id === promptId, timeoutMs);
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.readyState === WebSocket.CLOSED) return resolve();
      this.socket.once('close', () => resolve());
      this.socket.close();
    });
  }
}
