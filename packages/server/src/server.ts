import { STATUS_CODES, createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Executor, NodeRegistry, type AnyNodeDefinition } from '@piagraph/graph-core';
import { assertCudaProvider, createPiaPack, type PiaPack } from '@piagraph/nodes-pia';
import type { Database } from 'better-sqlite3';
import { acquireDataDirLock, type DataDirLock } from './db/data-dir-lock.js';
import { openDatabase } from './db/open-database.js';
import { SettingsStore } from './db/settings-store.js';
import { BadRequestError, NotFoundError, toHttpError } from './errors.js';
import { DEFAULT_DATA_DIR, prepareDataDirs, type DataDirs } from './files/data-dirs.js';
import { GraphStore } from './graphs/graph-store.js';
import { sendError } from './http/respond.js';
import { Router, stripApiPrefix } from './http/router.js';
import { admitToEditor } from './http/editor-login.js';
import { listen } from './http/listen.js';
import { hasEditorBuild, serveEditor } from './http/static-files.js';
import type { JobRunner } from './jobs/job-runner.js';
import { JobStore } from './jobs/job-store.js';
import { Worker } from './jobs/worker.js';
import { registerFileRoutes } from './routes/files.js';
import { registerGraphRoutes } from './routes/graphs.js';
import { registerHistoryRoutes } from './routes/history.js';
import { registerJobRoutes } from './routes/jobs.js';
import { registerPromptRoutes } from './routes/prompt.js';
import { registerQueueRoutes } from './routes/queue.js';
import { registerSystemRoutes } from './routes/system.js';
import { isLoopbackHost } from './security/loopback.js';
import { checkOrigin } from './security/origin-check.js';
import { checkHost, isLocalName, type HostPolicy } from './security/host-check.js';
import { checkToken, generateToken, sessionCookie, type SessionCookie } from './security/token-auth.js';
import type { ServerServices } from './services.js';
import { DEFAULT_WS_BUFFER_LIMITS, WsHub, type WsBufferLimits } from './ws/ws-hub.js';

/** Options of `startServer`; every one has a default. */
export interface ServerOptions {
  /** Address to bind (default `127.0.0.1`). A non-loopback address requires a token. */
  host?: string;
  /** Port (default 8188); `0` picks a free one, see `PiagraphServer.port`. */
  port?: number;
  /** Data root holding `input/`, `output/`, `temp/`, `models/` and `piagraph.db` (default `./piagraph-data`). */
  dataDir?: string;
  /** Required token. Default: none on loopback; generated (see `PiagraphServer.token`) on any other address. */
  token?: string;
  /**
   * Host names a loopback server answers to besides localhost, 127.0.0.1 and ::1 (`--allow-host`), e.g. a name the
   * user gave 127.0.0.1 in /etc/hosts. Any other `Host` is refused (DNS rebinding protection).
   */
  allowedHosts?: readonly string[];
  /** Largest accepted upload in MB (default 100, ComfyUI's default). */
  maxUploadMb?: number;
  /** Extra node definitions, registered next to the PIA pack (tests pass the graph-core test nodes). */
  nodes?: readonly AnyNodeDefinition[];
  /** Whether to register the PIA pack (default true). */
  piaNodes?: boolean;
  /** onnxruntime device for the PIA pack (default cpu); `cuda` is refused at start-up without the CUDA provider libraries. */
  device?: 'cpu' | 'cuda';
  /** Where those libraries must be (default: next to onnxruntime-node's binding; tests point it elsewhere). */
  cudaProviderDir?: string;
  /** Jobs found running at start-up (the process died under them) go back in the queue instead of failing. */
  requeueInterrupted?: boolean;
  /** The executor's cache budget in bytes (graph-core's default when absent). */
  cacheBudgetBytes?: number;
  /** Built editor to serve at `/` (default `packages/editor/dist` of this checkout, when present); `null` for none. */
  editorDir?: string | null;
  /** Idle WebSocket keepalive period in ms (default 5000; 0 disables). */
  keepaliveMs?: number;
  /** How many unsent bytes a WebSocket client may have before previews are dropped, and before it is disconnected. */
  wsBufferLimits?: WsBufferLimits;
  /** A queued job starts at least this many ms after it was queued (default 25), so clients can start listening. */
  startGraceMs?: number;
  /** Finished jobs kept in the history (default 10 000, as ComfyUI). */
  maxHistory?: number;
  /** Where the server logs one-line notices (default: nowhere). */
  log?: (line: string) => void;
  /** The argv shown by `/system_stats`. */
  argv?: string[];
  /** Rewrites the node definitions before they are registered (the distributed mode adds the workers' model files to their choices). */
  wrapNodes?: (defs: readonly AnyNodeDefinition[]) => AnyNodeDefinition[];
}

/** A running server, whatever runs its jobs. */
export interface ServerBase {
  /** `http://host:port`, with the real port. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** The token clients must send, when one is required. */
  readonly token: string | undefined;
  /** True when the token was generated rather than given, so the caller should print it. */
  readonly tokenGenerated: boolean;
  readonly dirs: DataDirs;
  readonly registry: NodeRegistry;
  readonly store: JobStore;
  /** The PIA pack, whose models `POST /free` releases; undefined when `piaNodes` is false. */
  readonly pack: PiaPack | undefined;
  /** Ids of jobs that were running when the previous process died (failed or re-queued on this start). */
  readonly recoveredJobs: string[];
  /** Stops accepting requests, puts a running job back in the queue, closes sockets, releases the models, closes the database. */
  close(): Promise<void>;
}

/** A running server with its in-process worker (the embedded mode). */
export interface PiagraphServer extends ServerBase {
  readonly worker: Worker;
}

/** What a runner is built from: everything `startServer` opened before it. */
export interface RunnerContext {
  options: ServerOptions;
  dirs: DataDirs;
  store: JobStore;
  settings: SettingsStore;
  registry: NodeRegistry;
  pack: PiaPack | undefined;
  hub: WsHub;
  token: string | undefined;
  log: (line: string) => void;
  /** Steps that undo what the factory opened if the start fails later; the factory pushes them. */
  undo: (() => unknown)[];
}

/** Builds the job runner of a server; the embedded one by default, the distributed mode's in `startDistributedServer`. */
export type RunnerFactory<R extends JobRunner> = ((ctx: RunnerContext) => R | Promise<R>) & {
  /**
   * Jobs the store has as running are still running elsewhere (on worker processes), so start-up leaves them alone
   * instead of failing or re-queueing them as jobs of a process that died.
   */
  keepsRunningJobs?: boolean;
};

/** The in-process worker over graph-core's executor: the embedded single-process mode. */
const embeddedRunner: RunnerFactory<Worker> = ({ options, store, settings, registry, pack, hub, log }) => {
  const executor = new Executor(registry, options.cacheBudgetBytes !== undefined ? { cacheBudgetBytes: options.cacheBudgetBytes } : {});
  return new Worker(store, executor, hub, settings, {
    ...(options.maxHistory !== undefined ? { maxHistory: options.maxHistory } : {}),
    ...(options.startGraceMs !== undefined ? { startGraceMs: options.startGraceMs } : {}),
    ...(pack ? { releaseModels: () => pack.release() } : {}),
    log,
  });
};

/** The editor build next to this package in a checkout: `packages/editor/dist`. */
export function defaultEditorDir(): string {
  return fileURLToPath(new URL('../../editor/dist', import.meta.url));
}

const DEFAULT_MAX_UPLOAD_MB = 100;

/** Builds the route table; exported so tests can list it. */
export function buildRouter(s: ServerServices): Router {
  const router = new Router();
  registerPromptRoutes(router, s);
  registerQueueRoutes(router, s);
  registerHistoryRoutes(router, s);
  registerJobRoutes(router, s);
  registerFileRoutes(router, s);
  registerGraphRoutes(router, s);
  registerSystemRoutes(router, s);
  return router;
}

/**
 * Starts the piagraph server: ComfyUI's HTTP routes (at `/x` and `/api/x`), the WebSocket at `/ws` and `/api/ws`, the
 * job queue and history in SQLite under `dataDir`, one worker, and the editor at `/`.
 */
export async function startServer(options: ServerOptions = {}): Promise<PiagraphServer> {
  const { runner, ...server } = await startServerWith(options, embeddedRunner);
  return { ...server, worker: runner };
}

/** `startServer` with another job runner (the distributed mode's); the server answers the same routes either way. */
export async function startServerWith<R extends JobRunner>(options: ServerOptions, makeRunner: RunnerFactory<R>): Promise<ServerBase & { runner: R }> {
  const host = options.host ?? '127.0.0.1';
  const loopback = isLoopbackHost(host);
  const tokenGenerated = options.token === undefined && !loopback;
  const token = options.token ?? (loopback ? undefined : generateToken());
  const maxUploadBytes = Math.round((options.maxUploadMb ?? DEFAULT_MAX_UPLOAD_MB) * 1024 * 1024);
  const log = options.log ?? (() => {});
  const device = options.device ?? 'cpu';
  // Refused before anything is opened or listened on: a server whose every PIA job would fail should not start.
  if (device === 'cuda' && options.piaNodes !== false) assertCudaProvider(options.cudaProviderDir);

  const dirs = prepareDataDirs(options.dataDir ?? DEFAULT_DATA_DIR);
  // Before the database is opened: a second server on this folder must refuse without touching it.
  const lock = acquireDataDirLock(dirs.lock, dirs.root, 'piagraph serve');
  // Everything opened from here on is closed again if the start fails (a busy port, a damaged database).
  const undo: (() => unknown)[] = [() => lock.release()];
  try {
    return await startLocked(options, { host, token, tokenGenerated, maxUploadBytes, log, device, dirs, lock }, undo, makeRunner);
  } catch (err) {
    for (const step of undo.reverse()) {
      try {
        await step();
      } catch {
        // The start already failed; its error is the one worth reporting.
      }
    }
    throw err;
  }
}

interface StartContext {
  host: string;
  token: string | undefined;
  tokenGenerated: boolean;
  maxUploadBytes: number;
  log: (line: string) => void;
  device: 'cpu' | 'cuda';
  dirs: DataDirs;
  lock: DataDirLock;
}

async function startLocked<R extends JobRunner>(
  options: ServerOptions,
  ctx: StartContext,
  undo: (() => unknown)[],
  makeRunner: RunnerFactory<R>,
): Promise<ServerBase & { runner: R }> {
  const { host, token, tokenGenerated, maxUploadBytes, log, device, dirs, lock } = ctx;
  const db: Database = openDatabase(dirs.database);
  undo.push(() => db.close());
  const store = new JobStore(db);
  const settings = new SettingsStore(db);
  const recoveredJobs = makeRunner.keepsRunningJobs ? [] : store.recoverInterrupted(options.requeueInterrupted ?? false);
  for (const id of recoveredJobs) {
    log(options.requeueInterrupted ? `re-queued interrupted job ${id}` : `job ${id} was running when the server stopped; marked failed`);
  }

  const registry = new NodeRegistry();
  const pack =
    options.piaNodes === false
      ? undefined
      : createPiaPack({
          modelsDir: dirs.models,
          inputDir: dirs.input,
          outputDir: dirs.output,
          tempDir: dirs.temp,
          device,
          ...(options.cudaProviderDir !== undefined ? { cudaProviderDir: options.cudaProviderDir } : {}),
        });
  if (pack) {
    undo.push(() => pack.release());
    registry.registerPack('piagraph.nodes-pia', options.wrapNodes ? options.wrapNodes(pack.nodes) : pack.nodes);
  }
  // The editor's first screen shows the demo picture's thumbnail: have it in input/ before the first request.
  await pack?.ready;
  if (options.nodes && options.nodes.length > 0) registry.register(...(options.wrapNodes ? options.wrapNodes(options.nodes) : options.nodes));

  let worker: R | undefined;
  const hub = new WsHub(
    {
      queueRemaining: () => store.countActive(),
      onConnect: (sid) => {
        const node = worker?.runningNodeFor(sid);
        // ComfyUI tells a reconnecting owner where its prompt is; this message has no prompt_id there either.
        if (node) hub.send(sid, 'executing', { node });
      },
    },
    { supports_preview_metadata: true, max_upload_size: maxUploadBytes },
    options.keepaliveMs ?? 5000,
    options.wsBufferLimits ?? DEFAULT_WS_BUFFER_LIMITS,
    log,
  );
  undo.push(() => hub.close());
  worker = await makeRunner({ options, dirs, store, settings, registry, pack, hub, token, log, undo });
  const runner = worker;
  const services: ServerServices = {
    dirs,
    registry,
    store,
    graphs: new GraphStore(db),
    worker,
    hub,
    maxUploadBytes,
    device,
    argv: options.argv ?? process.argv.slice(1),
  };
  const router = buildRouter(services);
  runner.registerRoutes?.(router);
  const editorDir = options.editorDir === null ? undefined : (options.editorDir ?? defaultEditorDir());

  const access: Access = {
    token,
    // Known once the port is: the cookie's name carries it. Requests only arrive after that.
    cookie: undefined,
    hosts: {
      loopbackOnly: isLoopbackHost(host),
      allowed: new Set((options.allowedHosts ?? []).map((h) => h.trim().toLowerCase().replace(/\.$/, '')).filter((h) => h.length > 0)),
    },
  };
  const server: Server = createServer((req, res) => {
    void handleRequest(req, res, router, access, editorDir);
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    handleUpgrade(req, socket, head, hub, access, runner);
  });
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
  });

  await listen(server, options.port ?? 8188, host);
  const port = (server.address() as AddressInfo).port;
  if (token !== undefined) access.cookie = sessionCookie(token, port);
  const urlHost = host.includes(':') ? `[${host}]` : host;
  runner.start();

  let closed: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closed ??= (async () => {
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await runner.close();
      // Upgraded sockets still count as the server's connections, so they must go before `close` can finish.
      await hub.close();
      await stopped;
      await pack?.release();
      db.close();
      lock.release();
    })());

  return {
    url: `http://${urlHost}:${port}`,
    host,
    port,
    token,
    tokenGenerated,
    dirs,
    registry,
    store,
    runner,
    pack,
    recoveredJobs,
    close,
  };
}

/** What every request is checked against. */
interface Access {
  token: string | undefined;
  cookie: SessionCookie | undefined;
  hosts: HostPolicy;
}

async function handleRequest(req: IncomingMessage, res: ServerResponse, router: Router, access: Access, editorDir: string | undefined): Promise<void> {
  try {
    const url = requestUrl(req);
    const method = req.method ?? 'GET';
    checkHost(req.headers.host, access.hosts);
    checkOrigin(req.headers.host, req.headers.origin, (name) => isLocalName(name, access.hosts));
    let path: string;
    try {
      path = decodeURIComponent(url.pathname);
    } catch {
      path = url.pathname;
    }
    const match = router.match(method, url.pathname);
    if (match.kind === 'found') {
      checkToken(req, url.searchParams, access.token, access.cookie);
      await match.handler({ req, res, method, path: stripApiPrefix(path), params: match.params, query: url.searchParams });
      return;
    }
    if (match.kind === 'wrong-method') Router.methodNotAllowed(method, url.pathname, match.allowed);
    const isApi = url.pathname === '/api' || url.pathname.startsWith('/api/');
    if (!isApi && (method === 'GET' || method === 'HEAD')) {
      // The editor's pages need the token too: the login form, or ?token= once, which leaves a session cookie.
      if (!admitToEditor(req, res, url, access)) return;
      if (hasEditorBuild(editorDir)) {
        await serveEditor(req, res, editorDir, path);
        return;
      }
      if (url.pathname === '/') {
        throw new NotFoundError('The editor is not built; run "pnpm --filter @piagraph/editor build", or use the HTTP API');
      }
    }
    throw new NotFoundError(`No route for ${method} ${url.pathname}`);
  } catch (err) {
    req.resume();
    sendError(res, toHttpError(err));
  }
}

/** The request's URL; a request target the URL parser refuses is the client's error (400), not the server's. */
function requestUrl(req: IncomingMessage): URL {
  try {
    return new URL(req.url ?? '/', 'http://localhost');
  } catch {
    throw new BadRequestError('invalid_url', `The request target is not a valid URL path: ${JSON.stringify((req.url ?? '').slice(0, 200))}`);
  }
}

function handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, hub: WsHub, access: Access, runner: JobRunner): void {
  let url: URL;
  try {
    url = requestUrl(req);
    const own = runner.handleUpgrade !== undefined && url.pathname !== '/ws' && url.pathname !== '/api/ws';
    if (!own && url.pathname !== '/ws' && url.pathname !== '/api/ws') throw new NotFoundError(`No WebSocket at ${url.pathname}; use /ws`);
    checkHost(req.headers.host, access.hosts);
    checkOrigin(req.headers.host, req.headers.origin, (name) => isLocalName(name, access.hosts));
    checkToken(req, url.searchParams, access.token, access.cookie);
    if (own) {
      if (!runner.handleUpgrade!(url.pathname, req, socket, head)) throw new NotFoundError(`No WebSocket at ${url.pathname}; use /ws`);
      return;
    }
  } catch (err) {
    const e = toHttpError(err);
    const body = JSON.stringify(e.toBody());
    socket.end(
      `HTTP/1.1 ${e.status} ${STATUS_CODES[e.status] ?? 'Error'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
    return;
  }
  hub.handleUpgrade(req, socket, head, url.searchParams.get('clientId'));
}
