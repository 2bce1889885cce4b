/** Questions about paths that answer false rather than throw when the path is missing or unreadable. */
import { stat } from 'node:fs/promises';

/** Whether `path` names something (a file, a folder…), following symbolic links. */
export async function pathExists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Whether `path` is a folder. */
export async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
