import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, readSettings, SETTINGS_KEY, SettingsStore } from '../src/app/settings.js';

function memoryStorage(initial: Record<string, string> = {}): Storage {
  const data = new Map(Object.entries(initial));
  return {
    get length() {
      return data.size;
    },
    clear: () => data.clear(),
    getItem: (k) => data.get(k) ?? null,
    key: (i) => [...data.keys()][i] ?? null,
    removeItem: (k) => void data.delete(k),
    setItem: (k, v) => void data.set(k, v),
  };
}

describe('settings', () => {
  it('starts from the defaults with nothing stored or a damaged entry', () => {
    expect(readSettings(memoryStorage())).toEqual(DEFAULT_SETTINGS);
    expect(readSettings(memoryStorage({ [SETTINGS_KEY]: '{not json' }))).toEqual(DEFAULT_SETTINGS);
  });

  it('keeps valid fields and replaces invalid ones by their defaults', () => {
    const stored = { minimap: false, linkStyle: 'zigzag', zoomSpeed: 9 };
    expect(readSettings(memoryStorage({ [SETTINGS_KEY]: JSON.stringify(stored) }))).toEqual({ ...DEFAULT_SETTINGS, minimap: false });
  });

  it('stores every change and tells its listeners', () => {
    const storage = memoryStorage();
    const store = new SettingsStore(storage);
    let calls = 0;
    store.subscribe(() => calls++);
    store.update({ linkStyle: 'straight', zoomSpeed: 2 });
    expect(calls).toBe(1);
    expect(readSettings(storage)).toEqual({ minimap: true, linkStyle: 'straight', zoomSpeed: 2 });
  });
});
