import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type PiagraphServer, type ServerOptions } from '../../src/server.js';
import { serverTestNodes } from '../fixtures/server-test-nodes.js';

/** A server on an ephemeral loopback port with a fresh data dir and the test nodes. */
export interface TestServer {
  server: PiagraphServer;
  url: string;
  dataDir: string;
  /** `fetch` against the server, relative path. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /** POSTs JSON and returns the response. */
  postJson(path: string, body: unknown, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

export function makeDataDir(): string {
  return realpathSync(mkdtempSync(join(tmpdir(), 'piagraph-server-test-')));
}

export async function startTestServer(options: ServerOptions = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? makeDataDir();
  const server = await startServer({
    port: 0,
    editorDir: null,
    keepaliveMs: 0,
    nodes: serverTestNodes(join(dataDir, 'output')),
    ...options,
    dataDir,
  });
  const url = server.url;
  return {
    server,
    url,
    dataDir,
    fetch: (path, init) => fetch(url + path, init),
    postJson: (path, body, init) =>
      fetch(url + path, { method: 'POST', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' }, ...init }),
    async close() {
      await server.close();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A linear prompt: a number into an output node (`TestOutput`, UI `text`). */
export function numberPrompt(value: number): Record<string, unknown> {
  return {
    '1': { class_type: 'TestNumber', inputs: { value } },
    '2': { class_type: 'TestOutput', inputs: { value: ['1', 0] } },
  };
}

/** A prompt with a slow node, for runs that must still be going when the test acts. */
export function slowPrompt(ms: number, value = 1): Record<string, unknown> {
  return {
    '1': { class_type: 'TestSlow', inputs: { value, ms } },
    '2': { class_type: 'TestOutput', inputs: { value: ['1', 0] } },
  };
}
