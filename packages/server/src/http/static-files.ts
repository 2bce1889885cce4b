import { existsSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join } from 'node:path';
import { NotFoundError } from '../errors.js';
import { resolveInside } from '../files/safe-path.js';
import { sendFile } from '../files/send-file.js';

/** True when `dir` holds a built editor (`index.html`). */
export function hasEditorBuild(dir: string | undefined): dir is string {
  return dir !== undefined && existsSync(join(dir, 'index.html'));
}

/**
 * Serves the editor's built files. Paths without an extension that name no file get `index.html` (the editor routes
 * on the client); hashed files under `assets/` are cached for a year, `index.html` never.
 */
export async function serveEditor(req: IncomingMessage, res: ServerResponse, dir: string, path: string): Promise<void> {
  const relative = path.replace(/^\/+/, '');
  let file: string | undefined;
  if (relative.length > 0) {
    const candidate = resolveInside(dir, '', relative, true);
    if (existsSync(candidate) && statSync(candidate).isFile()) file = candidate;
  }
  if (!file) {
    if (relative.length > 0 && extname(relative) !== '') throw new NotFoundError(`No such file: /${relative}`);
    file = join(dir, 'index.html');
  }
  const immutable = relative.startsWith('assets/');
  await sendFile(req, res, file, { cache: immutable ? 'public, max-age=31536000, immutable' : 'no-cache' });
}
