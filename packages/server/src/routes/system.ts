import { freemem, platform, totalmem } from 'node:os';
import { basename, extname, join } from 'node:path';
import { NotFoundError } from '../errors.js';
import { listFilesRecursive, listSubfolders } from '../files/list-files.js';
import { sendEmpty, sendJson } from '../http/respond.js';
import type { Router } from '../http/router.js';
import type { ServerServices } from '../services.js';
import type { Device } from '@piagraph/nodes-pia';

/** How `system_stats` names the device, as ComfyUI's "cuda:0 <model>" would (onnxruntime does not say which GPU it got). */
const DEVICE_NAMES: Readonly<Record<Device, string>> = {
  cpu: 'cpu',
  cuda: 'cuda:0 (onnxruntime CUDA EP)',
  webgpu: 'webgpu:0 (onnxruntime WebGPU EP)',
};

/** The version `system_stats` reports, ours, under ComfyUI's field name. */
export const PIAGRAPH_VERSION = '0.1.0';

/**
 * Node definitions and facts about the server: `object_info` (200 `{}` for an unknown class, which
 * `@saintno/comfyui-sdk` depends on), `system_stats`, `features`, `models`, `embeddings`, `extensions`, and the
 * log-subscription no-op the saintno client calls on connect.
 */
export function registerSystemRoutes(router: Router, s: ServerServices): void {
  router.get('/object_info', ({ res }) => {
    sendJson(res, 200, s.registry.objectInfo());
  });

  router.get('/object_info/{class}', ({ res, params }) => {
    const name = params.class!;
    sendJson(res, 200, s.registry.has(name) ? { [name]: s.registry.objectInfoFor(name) } : {});
  });

  router.get('/system_stats', ({ res }) => {
    sendJson(res, 200, {
      system: {
        os: platform(),
        ram_total: totalmem(),
        ram_free: freemem(),
        comfyui_version: `piagraph-${PIAGRAPH_VERSION}`,
        required_frontend_version: '',
        installed_templates_version: '',
        required_templates_version: '',
        python_version: `node ${process.versions.node}`,
        pytorch_version: '',
        embedded_python: false,
        argv: s.argv,
      },
      // ComfyUI names a GPU "cuda:0 <model> : <allocator>"; onnxruntime-node does not say which GPU it got, and VRAM
      // figures are unknown to it, so 0 stands for "not reported" as on the CPU.
      devices: [
        { name: DEVICE_NAMES[s.device], type: s.device, index: 0, vram_total: 0, vram_free: 0, torch_vram_total: 0, torch_vram_free: 0 },
      ],
    });
  });

  router.get('/features', ({ res }) => {
    sendJson(res, 200, { supports_preview_metadata: true, max_upload_size: s.maxUploadBytes });
  });

  router.get('/models', async ({ res }) => {
    sendJson(res, 200, await listSubfolders(s.dirs.models));
  });

  router.get('/models/{folder}', async ({ res, params }) => {
    const folders = await listSubfolders(s.dirs.models);
    if (!folders.includes(params.folder!)) throw new NotFoundError(`No model folder "${params.folder}"; folders: ${folders.join(', ')}`);
    sendJson(res, 200, await listFilesRecursive(join(s.dirs.models, params.folder!)));
  });

  router.get('/embeddings', async ({ res }) => {
    const files = await listFilesRecursive(join(s.dirs.models, 'embeddings'));
    sendJson(res, 200, files.map((f) => basename(f, extname(f))));
  });

  router.get('/extensions', ({ res }) => {
    sendJson(res, 200, []);
  });

  router.patch('/internal/logs/subscribe', ({ res }) => {
    sendEmpty(res);
  });
}
