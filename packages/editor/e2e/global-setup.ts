import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));

/** The newest modification time under `path` (a file or a folder tree). */
function newest(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newest(join(path, name))));
}

/** Whether `dist/` is missing or older than any source the build reads (graph-core's included). */
export function editorBuildIsStale(): boolean {
  const built = newest(join(root, 'dist', 'index.html'));
  if (built === 0) return true;
  const sources = [join(root, 'src'), join(root, 'index.html'), join(root, 'vite.config.ts'), join(root, '..', 'graph-core', 'src')];
  return sources.some((s) => newest(s) > built);
}

/** Builds the editor with Vite before the end-to-end tests when `dist/` is missing or stale. */
export default async function setup(): Promise<void> {
  if (!editorBuildIsStale()) return;
  const { build } = await import('vite');
  await build({ root, configFile: join(root, 'vite.config.ts'), logLevel: 'warn' });
}
