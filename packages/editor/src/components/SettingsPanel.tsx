import type { EditorApp } from '../app/editor-app.js';
import { useSettings } from '../app/settings.js';
import { LINK_STYLES, type LinkStyle } from '../canvas/wire-path.js';

/** The settings dialog (Ctrl+,): minimap, link style, zoom speed; kept in the browser. */
export function SettingsPanel({ app, onClose }: { app: EditorApp; onClose(): void }) {
  const settings = useSettings(app.settings);
  return (
    <div className="pg-modal-backdrop" onPointerDown={onClose}>
      <div className="pg-modal pg-settings" role="dialog" aria-label="Settings" data-testid="settings" onPointerDown={(e) => e.stopPropagation()} onKeyDown={(e) => e.key === 'Escape' && onClose()}>
        <h3>Settings</h3>
        <label className="pg-setting">
          <span>Minimap</span>
          <input type="checkbox" data-testid="setting-minimap" checked={settings.minimap} onChange={(e) => app.settings.update({ minimap: e.target.checked })} />
        </label>
        <label className="pg-setting">
          <span>Link style</span>
          <select data-testid="setting-link-style" value={settings.linkStyle} onChange={(e) => app.settings.update({ linkStyle: e.target.value as LinkStyle })}>
            {LINK_STYLES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label className="pg-setting">
          <span>Zoom speed</span>
          <input
            type="range"
            min={0.25}
            max={4}
            step={0.25}
            data-testid="setting-zoom-speed"
            value={settings.zoomSpeed}
            onChange={(e) => app.settings.update({ zoomSpeed: Number(e.target.value) })}
          />
          <output>{settings.zoomSpeed.toFixed(2)}×</output>
        </label>
        <div className="pg-modal-buttons">
          <button className="pg-button" data-testid="settings-close" onClick={onClose}>
            Close
          </button>
        </div>
      </div>
    </div>
  );
}
