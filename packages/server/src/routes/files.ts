import { BadRequestError } from '../errors.js';
import { rootFor } from '../files/data-dirs.js';
import { resolveInside } from '../files/safe-path.js';
import { sendFile } from '../files/send-file.js';
import { storeUploadedImage } from '../files/upload.js';
import { sendJson } from '../http/respond.js';
import type { Router } from '../http/router.js';
import type { ServerServices } from '../services.js';

/** `GET /view?filename=&subfolder=&type=` and `POST /upload/image`, confined to `input/`, `output/` and `temp/`. */
export function registerFileRoutes(router: Router, s: ServerServices): void {
  router.get('/view', async ({ req, res, query }) => {
    const filename = query.get('filename');
    if (!filename) throw new BadRequestError('missing_query', 'The "filename" query parameter is required');
    const type = query.get('type') || 'output';
    const root = rootFor(s.dirs, type);
    if (!root) throw new BadRequestError('invalid_type', `"type" must be output, input or temp, got "${type}"`);
    const subfolder = query.get('subfolder') ?? '';
    const path = resolveInside(root, subfolder, filename, true);
    await sendFile(req, res, path, { shownName: filename });
  });

  router.post('/upload/image', async ({ req, res }) => {
    sendJson(res, 200, await storeUploadedImage(req, s.dirs, s.maxUploadBytes));
  });
}
