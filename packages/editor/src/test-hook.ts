import type { GraphDocument } from '@piagraph/graph-core';
import type { EditorApp } from './app/editor-app.js';

/** What end-to-end tests and the benchmark reach through `window.__piagraph`. */
export interface TestHook {
  app: EditorApp;
  document(): GraphDocument;
  load(doc: GraphDocument): Promise<void>;
  /** Resolves once the canvas has drawn the current document. */
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
    settled: () => app.canvas.drawn(),
    rendered: async () => {
      // Cards mount one React commit after the frame that picked them; the frame after that shows them.
      await app.canvas.drawn();
      await new Promise((resolve) => setTimeout(resolve, 0));
      await app.canvas.drawn();
    },
    setCamera: (view) => app.handle.setCamera(view),
  };
}
