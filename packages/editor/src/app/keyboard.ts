import type { EditorApp } from './editor-app.js';

function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return Boolean(el && (el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName)));
}

/**
 * The editor's keyboard shortcuts (ComfyUI's where they exist): Ctrl+Enter queue (Ctrl+Shift+Enter at the front), Ctrl+Z / Ctrl+Shift+Z / Ctrl+Y
 * undo and redo, Ctrl+C / Ctrl+V copy and paste, Delete remove, Ctrl+S save, Ctrl+B bypass, Ctrl+M mute,
 * Ctrl+A select all, Ctrl+G group the selection, Ctrl+, settings, Alt+C collapse, P pin, `.` fit view. Returns the function that
 * removes them.
 */
export function installShortcuts(app: EditorApp, target: Window = window): () => void {
  const onKey = (e: KeyboardEvent) => {
    const mod = e.ctrlKey || e.metaKey;
    if (mod && e.key === 'Enter') {
      e.preventDefault();
      // Ctrl+Shift+Enter queues at the front, as in ComfyUI.
      void app.queue({ front: e.shiftKey });
      return;
    }
    if (isTyping(e.target)) return;
    const selected = () => app.handle.selectedIds();
    const key = e.key.toLowerCase();
    if (mod && key === 'z') {
      e.preventDefault();
      if (e.shiftKey) app.redo();
      else app.undo();
    } else if (mod && key === 'y') {
      e.preventDefault();
      app.redo();
    } else if (mod && key === 'c') {
      app.copy();
    } else if (mod && key === 's') {
      e.preventDefault();
      app.save();
    } else if (mod && key === 'b') {
      e.preventDefault();
      app.toggleMode(selected(), 'bypassed');
    } else if (mod && key === 'm') {
      e.preventDefault();
      app.toggleMode(selected(), 'muted');
    } else if (mod && key === 'a') {
      e.preventDefault();
      app.handle.select(Object.keys(app.docs.doc.nodes));
    } else if (mod && key === ',') {
      e.preventDefault();
      app.ui.update({ settingsOpen: true });
    } else if (mod && key === 'g') {
      e.preventDefault();
      if (selected().length) app.groupNodes(selected());
    } else if (e.altKey && key === 'c') {
      e.preventDefault();
      const ids = selected();
      if (ids.length) app.setCollapsed(ids, !ids.every((id) => app.docs.doc.nodes[id]?.ui?.['collapsed'] === true));
    } else if (!mod && !e.altKey && key === 'p') {
      const ids = selected();
      if (ids.length) app.setPinned(ids, !ids.every((id) => app.docs.doc.nodes[id]?.ui?.['pinned'] === true));
    } else if (e.key === 'Delete' || e.key === 'Backspace') {
      app.removeNodes(selected());
    } else if (e.key === '.') {
      void app.handle.zoomToFit();
    }
  };
  const onPaste = (e: ClipboardEvent) => {
    if (isTyping(e.target)) return;
    e.preventDefault();
    // An image (a screenshot, a copied picture) goes to Load Image; text may be copied nodes.
    const image = [...(e.clipboardData?.files ?? [])].find((f) => f.type.startsWith('image/'));
    if (image) void app.pasteImage(image);
    else void app.paste(e.clipboardData?.getData('text/plain'));
  };
  target.addEventListener('keydown', onKey);
  target.addEventListener('paste', onPaste as EventListener);
  return () => {
    target.removeEventListener('keydown', onKey);
    target.removeEventListener('paste', onPaste as EventListener);
  };
}
