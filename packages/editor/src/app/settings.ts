import { useSyncExternalStore } from 'react';
import { LINK_STYLES, type LinkStyle } from '../canvas/wire-path.js';

/** The editor's settings (ComfyUI keeps the same three in its settings dialog). */
export interface Settings {
  minimap: boolean;
  linkStyle: LinkStyle;
  /** Wheel zoom speed, a multiple of the default (0.25 … 4). */
  zoomSpeed: number;
}

export const DEFAULT_SETTINGS: Settings = { minimap: true, linkStyle: 'spline', zoomSpeed: 1 };

/** localStorage key of the settings. */
export const SETTINGS_KEY = 'piagraph.settings.v1';

/** Settings read from storage; missing or invalid fields take their defaults. */
export function readSettings(storage: Pick<Storage, 'getItem'> = localStorage): Settings {
  let raw: Record<string, unknown> = {};
  try {
    raw = JSON.parse(storage.getItem(SETTINGS_KEY) ?? '{}') as Record<string, unknown>;
  } catch {
    // A damaged entry: start from the defaults.
  }
  const speed = Number(raw['zoomSpeed']);
  return {
    minimap: typeof raw['minimap'] === 'boolean' ? raw['minimap'] : DEFAULT_SETTINGS.minimap,
    linkStyle: LINK_STYLES.includes(raw['linkStyle'] as LinkStyle) ? (raw['linkStyle'] as LinkStyle) : DEFAULT_SETTINGS.linkStyle,
    zoomSpeed: Number.isFinite(speed) && speed >= 0.25 && speed <= 4 ? speed : DEFAULT_SETTINGS.zoomSpeed,
  };
}

/** The settings, kept in localStorage and observable by the canvas and the settings panel. */
export class SettingsStore {
  private current: Settings;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly storage: Storage = localStorage) {
    this.current = readSettings(storage);
  }

  get state(): Settings {
    return this.current;
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  update(patch: Partial<Settings>): void {
    this.current = { ...this.current, ...patch };
    try {
      this.storage.setItem(SETTINGS_KEY, JSON.stringify(this.current));
    } catch {
      // Storage full or disabled: the settings still apply for this page.
    }
    for (const listener of this.listeners) listener();
  }
}

export function useSettings(store: SettingsStore): Settings {
  return useSyncExternalStore(store.subscribe, () => store.state);
}
