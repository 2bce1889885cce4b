import { defaultClientConditions, defineConfig } from 'vite';

/**
 * The editor is a static single-page app served by the server from `dist/`. During `vite dev`, API and WebSocket
 * calls go to a server on PIAGRAPH_SERVER (default http://127.0.0.1:8188).
 */
const server = process.env.PIAGRAPH_SERVER ?? 'http://127.0.0.1:8188';
const proxied = ['/object_info', '/prompt', '/queue', '/interrupt', '/api', '/upload', '/view', '/history'];

export default defineConfig({
  // Workspace packages build from their TypeScript sources (their `source` export condition).
  resolve: { conditions: ['source', ...defaultClientConditions] },
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 4000 },
  server: {
    proxy: {
      ...Object.fromEntries(proxied.map((p) => [p, { target: server }])),
      '/ws': { target: server.replace(/^http/, 'ws'), ws: true },
    },
  },
});
