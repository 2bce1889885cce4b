import type { GraphDocument } from '@piagraph/graph-core';
import type { EditorApp } from './app/editor-app.js';

/** What end-to-end tests and the benchmark reach through `window.__piagraph`. */
export interface TestHook {
  app: EditorApp;
  document(): GraphDocument;
  load(doc: GraphDocument): Promise<void>;
  /** Resolves once Rete shows the current document. */
  settled(): Promise<void>;
  /** Resolves once the canvas has drawn the current document completely (every wire), for the benchmark. */
  rendered(): Promise<void>;
  /** Moves the camera at once (screen offset in pixels, zoom), as a pan step does. */
  setCamera(view: { x: number; y: number; zoom: number }): void;
}

declare global {
  interface Window {
    __piagraph?: TestHook;
  }
}

/**
 * Exposes the app to scripted browsers. Tests drive the UI with the mouse and keyboard and use this only to read
 * the document back and to set up fixtures quickly.
 */
export function installTestHook(app: EditorApp): void {
  window.__piagraph = {
    app,
    document: () => app.docs.doc,
    load: (doc) => app.loadDocument(doc, true),
    settled: async () => {
      await app.handle?.sync.render(app.docs.doc);
    },
    rendered: async () => {
      await app.handle?.sync.render(app.docs.doc);
      const links = Object.keys(app.docs.doc.links).length;
      while (document.querySelectorAll('[data-testid="connection"] path[d]').length < links) {
        await new Promise((resolve) => requestAnimationFrame(resolve));
      }
      await new Promise((resolve) => requestAnimationFrame(resolve));
    },
    setCamera: (view) => void app.handle?.setCamera(view),
  };
}
