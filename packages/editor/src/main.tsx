import { createRoot } from 'react-dom/client';
import { EditorApp } from './app/editor-app.js';
import { App } from './components/App.js';
import { SOCKET_COLORS } from './defs/socket-types.js';
import { installTestHook } from './test-hook.js';
import './styles.css';

/** One `--color-datatype-<TYPE>` variable per known type, so sockets and wires share one palette. */
function installSocketColors(): void {
  const style = document.createElement('style');
  style.textContent = `:root {\n${Object.entries(SOCKET_COLORS)
    .map(([type, color]) => `  --color-datatype-${type}: ${color};`)
    .join('\n')}\n}`;
  document.head.append(style);
}

installSocketColors();
const app = new EditorApp();
installTestHook(app);
createRoot(document.getElementById('root')!).render(<App app={app} />);
