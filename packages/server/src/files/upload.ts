import { randomUUID } from 'node:crypto';
import type { Stats } from 'node:fs';
import { lstat, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { dirname, extname, basename, join } from 'node:path';
import busboy from 'busboy';
import { BadRequestError, ConflictError, PayloadTooLargeError, UnsupportedMediaTypeError } from '../errors.js';
import { type DataDirs, type FileRootType, rootFor } from './data-dirs.js';
import { checkNewFileName, checkSubfolder } from './file-names.js';
import { sniffImage } from './image-sniff.js';
import { resolveInside } from './safe-path.js';

/** The JSON answer of `POST /upload/image`, ComfyUI's shape. */
export interface UploadResult {
  name: string;
  subfolder: string;
  type: FileRootType;
}

interface ParsedForm {
  fields: Record<string, string>;
  file?: { filename: string; data: Buffer };
}

/** Room for the multipart boundaries and the small text fields around the file. */
const MULTIPART_OVERHEAD = 64 * 1024;

/**
 * Stores an uploaded image the way ComfyUI does: fields `image` (the file), `type` (`input` by default, or `temp`,
 * `output`), `subfolder`, `overwrite` (`"true"`/`"1"`). A clashing name becomes `name (1).png`, `name (2).png`…
 * unless the existing file has the same bytes, which is then reused. The content must be an image by its magic
 * bytes, and no bigger than `maxBytes`.
 */
export async function storeUploadedImage(req: IncomingMessage, dirs: DataDirs, maxBytes: number): Promise<UploadResult> {
  const contentType = req.headers['content-type'] ?? '';
  if (!/^multipart\/form-data/i.test(contentType)) {
    req.resume();
    throw new UnsupportedMediaTypeError(
      `Uploads must be multipart/form-data with the file in the "image" field; got Content-Type "${contentType || 'none'}"`,
    );
  }
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes + MULTIPART_OVERHEAD) {
    req.resume();
    throw tooLarge(maxBytes);
  }
  const form = await parseForm(req, maxBytes);
  if (!form.file) throw new BadRequestError('missing_field', 'The multipart form has no file in the "image" field');

  const type = form.fields.type && form.fields.type.length > 0 ? form.fields.type : 'input';
  const root = rootFor(dirs, type);
  if (!root) throw new BadRequestError('invalid_type', `Upload type "${type}" is not one of input, temp, output`);
  const subfolder = form.fields.subfolder ?? '';
  const overwrite = form.fields.overwrite === 'true' || form.fields.overwrite === '1';

  const kind = sniffImage(form.file.data.subarray(0, 32));
  if (!kind) {
    throw new BadRequestError(
      'not_an_image',
      `"${form.file.filename}" is not an image: its content is not PNG, JPEG, GIF, WebP, BMP, TIFF or AVIF`,
      'The file type is read from the content, not from the file name.',
    );
  }

  checkSubfolder(subfolder);
  checkNewFileName(form.file.filename, 'uploaded file name');
  let filename = form.file.filename;
  let target = resolveInside(root, subfolder, filename, false);
  await makeFolder(dirname(target), subfolder);
  if (overwrite) {
    const existing = await lstatOrUndefined(target);
    if (existing && !existing.isFile()) {
      throw new ConflictError(
        'name_in_use',
        `"${join(subfolder, filename)}" in ${type}/ is ${existing.isDirectory() ? 'a folder' : 'not a regular file'}; it cannot be overwritten by an upload`,
      );
    }
  } else {
    const stem = basename(filename, extname(filename));
    const ext = extname(filename);
    for (let i = 1; await lstatOrUndefined(target); i++) {
      if (await sameContent(target, form.file.data)) return { name: filename, subfolder, type: type as FileRootType };
      filename = `${stem} (${i})${ext}`;
      target = join(dirname(target), filename);
    }
  }
  await writeAtomically(target, form.file.data, join(subfolder, filename), type);
  return { name: filename, subfolder, type: type as FileRootType };
}

/** Creates the upload's folder; a file in the way is the client's problem (400), not a server error. */
async function makeFolder(folder: string, subfolder: string): Promise<void> {
  try {
    await mkdir(folder, { recursive: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ENOTDIR') {
      throw new BadRequestError('invalid_subfolder', `The subfolder "${subfolder}" cannot be created: a file is in the way`);
    }
    throw err;
  }
}

/**
 * Writes beside the target under a short temporary name (so a long target name cannot make it too long), then
 * renames it into place; the temporary file is removed on every failure.
 */
async function writeAtomically(target: string, data: Buffer, shown: string, type: string): Promise<void> {
  const partial = join(dirname(target), `.upload-${randomUUID()}.part`);
  try {
    await writeFile(partial, data, { flag: 'wx' });
    await rename(partial, target);
  } catch (err) {
    await rm(partial, { force: true });
    const code = (err as NodeJS.ErrnoException).code;
    // A folder created under that name after the check above.
    if (code === 'EISDIR' || code === 'ENOTEMPTY' || code === 'EEXIST' || code === 'ENOTDIR') {
      throw new ConflictError('name_in_use', `"${shown}" in ${type}/ is a folder; it cannot be overwritten by an upload`);
    }
    throw err;
  }
}

function tooLarge(maxBytes: number): PayloadTooLargeError {
  const mb = Math.round((maxBytes / (1024 * 1024)) * 100) / 100;
  return new PayloadTooLargeError(`The upload is larger than the limit of ${mb} MB (--max-upload-mb)`, maxBytes);
}

function parseForm(req: IncomingMessage, maxBytes: number): Promise<ParsedForm> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      // preservePath keeps "../x.png" as sent, so a traversal attempt is refused by name instead of silently cut.
      parser = busboy({ headers: req.headers, preservePath: true, limits: { fileSize: maxBytes, files: 4, fields: 32 } });
    } catch (err) {
      req.resume();
      reject(new BadRequestError('invalid_multipart', `The multipart body cannot be parsed: ${(err as Error).message}`));
      return;
    }
    const form: ParsedForm = { fields: {} };
    let truncated = false;
    parser.on('field', (name, value) => {
      form.fields[name] = value;
    });
    parser.on('file', (name, stream, info) => {
      if (name !== 'image' || form.file) {
        stream.resume();
        return;
      }
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      // The parser reports a broken body on its own 'error'; the file stream's copy of it is not a second failure.
      stream.on('error', () => {});
      stream.on('limit', () => {
        truncated = true;
      });
      stream.on('end', () => {
        form.file = { filename: info.filename ?? '', data: Buffer.concat(chunks) };
      });
    });
    parser.on('error', (err: Error) =>
      reject(new BadRequestError('invalid_multipart', `The multipart body cannot be parsed: ${err.message}`)),
    );
    parser.on('close', () => (truncated ? reject(tooLarge(maxBytes)) : resolve(form)));
    req.pipe(parser);
  });
}

/** The entry itself (a symbolic link is not followed), or undefined when there is none. */
async function lstatOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await lstat(path);
  } catch {
    return undefined;
  }
}

async function sameContent(path: string, data: Buffer): Promise<boolean> {
  const info = await lstat(path);
  if (!info.isFile() || info.size !== data.length) return false;
  return (await readFile(path)).equals(data);
}
