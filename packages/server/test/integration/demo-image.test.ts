/** The PIA pack writes its demo picture when the server creates it, so the editor's first thumbnail loads. */
import { describe, expect, it } from 'vitest';
import { startTestServer } from '../helpers/test-server.js';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const DEMO_VIEW = '/view?filename=piagraph-demo.png&type=input&subfolder=';

describe('the demo picture behind the first-start example', () => {
  it('is served from input/ as soon as the server is up, before any prompt has run', async () => {
    const t = await startTestServer();
    try {
      const res = await t.fetch(DEMO_VIEW);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/png');
      expect([...new Uint8Array(await res.arrayBuffer()).subarray(0, 8)]).toEqual(PNG_SIGNATURE);
    } finally {
      await t.close();
    }
  });

  it('is not there when the server runs without the PIA pack', async () => {
    const t = await startTestServer({ piaNodes: false });
    try {
      expect((await t.fetch(DEMO_VIEW)).status).toBe(404);
    } finally {
      await t.close();
    }
  });
});
