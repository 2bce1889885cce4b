import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TINY_PNG } from '../fixtures/server-test-nodes.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
  mkdirSync(join(t.dataDir, 'input', 'existing-folder'));
  writeFileSync(join(t.dataDir, 'input', 'existing-folder', 'inside.png'), TINY_PNG);
  writeFileSync(join(t.dataDir, 'input', 'plain-file'), 'x');
});
afterAll(() => t.close());

/** Every path under the data folder, so a test can prove a refused upload left nothing behind. */
function tree(dir = t.dataDir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    return e.isDirectory() ? [relative(t.dataDir, path) + '/', ...tree(path)] : [relative(t.dataDir, path)];
  }).filter((p) => !p.startsWith('piagraph.db') && !p.startsWith('piagraph.lock'));
}

/**
 * A multipart body written by hand, so the file name arrives exactly as an attacker would send it: `fileNameParam`
 * is the raw `filename=…` / `filename*=…` parameter.
 */
async function rawUpload(fileNameParam: string, fields: Record<string, string> = {}): Promise<Response> {
  const boundary = 'hostileBoundary7MA4YWxk';
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  }
  parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="image"; ${fileNameParam}\r\nContent-Type: image/png\r\n\r\n`));
  parts.push(TINY_PNG, Buffer.from(`\r\n--${boundary}--\r\n`));
  return t.fetch('/upload/image', {
    method: 'POST',
    headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}` },
    body: Buffer.concat(parts),
  });
}

async function errorOf(res: Response): Promise<{ type: string; message: string }> {
  return ((await res.json()) as { error: { type: string; message: string } }).error;
}

describe('hostile upload names', () => {
  const refused: [string, string, Record<string, string>, string][] = [
    // busboy reads a part with an empty file name as a plain field, so the form has no file at all.
    ['an empty name', 'filename=""', {}, 'has no file in the "image" field'],
    ['"."', 'filename="."', {}, 'is not a file name'],
    ['"." with overwrite', 'filename="."', { overwrite: 'true' }, 'is not a file name'],
    ['".." with overwrite', 'filename=".."', { overwrite: 'true' }, 'is not a file name'],
    ['a slash', 'filename="a/b.png"', {}, 'must not contain a path separator'],
    ['a backslash', 'filename="a\\\\b.png"', {}, 'must not contain a path separator'],
    ['CR/LF (RFC 5987 encoded)', "filename*=UTF-8''evil%0D%0ASet-Cookie%3A%20x.png", {}, 'contains a carriage return (CR)'],
    ['a bare LF', "filename*=UTF-8''a%0Ab.png", {}, 'contains a line feed (LF)'],
    ['a control character', "filename*=UTF-8''a%01b.png", {}, 'contains the control character U+0001'],
    ['an absurdly long name', `filename="${'a'.repeat(5000)}.png"`, {}, 'bytes long; at most 240'],
    ['a subfolder with a LF', 'filename="ok.png"', { subfolder: 'a\nb' }, 'The subfolder "a\\nb" contains a line feed (LF)'],
    ['an absurdly long subfolder', 'filename="ok.png"', { subfolder: 'd/'.repeat(600) }, 'bytes long; at most 1024'],
    ['a subfolder that is a file', 'filename="ok.png"', { subfolder: 'plain-file' }, 'a file is in the way'],
  ];
  for (const [what, param, fields, message] of refused) {
    it(`refuses ${what} with 400 and writes nothing`, async () => {
      const before = tree();
      const res = await rawUpload(param, fields);
      expect(res.status).toBe(400);
      expect((await errorOf(res)).message).toContain(message);
      expect(tree()).toEqual(before);
    });
  }

  it('refuses to overwrite a folder with 409, leaving the folder and no temporary file', async () => {
    const before = tree();
    const res = await rawUpload('filename="existing-folder"', { overwrite: 'true' });
    expect(res.status).toBe(409);
    expect((await errorOf(res)).message).toContain('"existing-folder" in input/ is a folder');
    expect(tree()).toEqual(before);
    expect(statSync(join(t.dataDir, 'input', 'existing-folder')).isDirectory()).toBe(true);
  });

  it('stores beside a folder of the same name when not overwriting', async () => {
    const res = await rawUpload('filename="existing-folder"');
    expect(res.status).toBe(200);
    expect(((await res.json()) as { name: string }).name).toBe('existing-folder (1)');
  });

  it('accepts a 240-byte name, and a clash with it still fits the file system', async () => {
    const name = `${'n'.repeat(236)}.png`;
    const first = await rawUpload(`filename="${name}"`);
    expect(((await first.json()) as { name: string }).name).toBe(name);
    const other = Buffer.concat([TINY_PNG, Buffer.from('other')]);
    const f = new FormData();
    f.append('image', new Blob([other]), name);
    const second = await t.fetch('/upload/image', { method: 'POST', body: f });
    expect(second.status).toBe(200);
    expect(((await second.json()) as { name: string }).name).toBe(`${'n'.repeat(236)} (1).png`);
    expect(tree().some((p) => p.endsWith('.part'))).toBe(false);
  });
});

describe('/view of stored names a header cannot carry', () => {
  it('answers a name with CR/LF with 400, not 500, and injects no header', async () => {
    writeFileSync(join(t.dataDir, 'output', 'bad\r\nX-Injected: 1.html'), '<p>x</p>');
    const res = await t.fetch(`/view?filename=${encodeURIComponent('bad\r\nX-Injected: 1.html')}`);
    expect(res.status).toBe(400);
    expect(res.headers.get('x-injected')).toBeNull();
    expect((await errorOf(res)).message).toContain('contains a carriage return (CR)');
  });

  it('sends a download with a non-Latin name, its exact name percent-encoded', async () => {
    writeFileSync(join(t.dataDir, 'output', 'страница "1".html'), '<p>x</p>');
    const res = await t.fetch(`/view?filename=${encodeURIComponent('страница "1".html')}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe(
      `attachment; filename="________ _1_.html"; filename*=UTF-8''${encodeURIComponent('страница "1".html').replace(/'/g, '%27')}`,
    );
  });
});
