/**
 * Crash-safe file replacement: the only way the keystore writes anything.
 *
 * The recipe is the classic one: write a temp file in the same directory (so the rename cannot
 * cross file systems), fsync it, then rename it over the target (or hard-link it into place when
 * the target must not exist yet), then fsync the directory so the new name itself is durable.
 * A reader therefore sees either the old file or the complete new one, never a mix, whatever
 * moment the process is killed at. Temp files of a writer that died are swept by
 * `sweepTempFiles` the next time the store is opened.
 */
import { promises as fsp } from 'node:fs';
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { EidError } from '../errors';

const TEMP_SUFFIX = '.tmp';
/** `.<target>.<pid>.<random>.tmp`: hidden, names its writer so a sweep can tell live from dead. */
const TEMP_RE = /^\.(.+)\.(\d+)\.([0-9a-f]{12})\.tmp$/;
/** Temp files older than this are swept even if their writer's pid is (again) alive. */
const STALE_TEMP_MS = 24 * 60 * 60 * 1000;

/** Whether a directory entry is one of our temp files (readers ignore these). */
export function isTempFile(name: string): boolean {
  return name.endsWith(TEMP_SUFFIX) && TEMP_RE.test(name);
}

/**
 * Makes a directory entry durable. Windows cannot open a directory for fsync (and NTFS journals
 * renames itself), so there the failure is expected and ignored.
 */
export async function fsyncDir(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const fh = await fsp.open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Options for {@link writeFileAtomic}. */
export interface AtomicWriteOptions {
  /** When false the write fails with 'already-exists' if the target exists (no clobbering). */
  overwrite: boolean;
  /** File mode for the new file; 0600 by default since every file here is private. */
  mode?: number;
}

/**
 * Atomically writes `data` to `target`. With `overwrite: false`, placement uses link(2), which
 * fails if the target exists, so two writers racing for the same name cannot overwrite each
 * other; where hard links are not supported (FAT, some network shares) it falls back to a
 * check-then-rename.
 */
export async function writeFileAtomic(target: string, data: Buffer, options: AtomicWriteOptions): Promise<void> {
  const dir = path.dirname(target);
  const tmp = path.join(dir, `.${path.basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`);
  const fh = await fsp.open(tmp, 'wx', options.mode ?? 0o600);
  try {
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    if (options.overwrite) {
      await renameWithRetry(tmp, target);
    } else {
      await placeWithoutClobbering(tmp, target);
    }
  } catch (err) {
    await fsp.rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  }
  await fsyncDir(dir);
}

/**
 * On Windows a rename over a file that a virus scanner or indexer has open fails for a moment
 * with EPERM/EACCES/EBUSY; retry briefly there (as graceful-fs does). Elsewhere rename is atomic
 * and such errors are real.
 */
async function renameWithRetry(from: string, to: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await fsp.rename(from, to);
      return;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (process.platform !== 'win32' || attempt >= 20 || (code !== 'EPERM' && code !== 'EACCES' && code !== 'EBUSY')) throw err;
      await new Promise((r) => setTimeout(r, 25 * (attempt + 1)));
    }
  }
}

async function placeWithoutClobbering(tmp: string, target: string): Promise<void> {
  try {
    await fsp.link(tmp, target);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new EidError('already-exists', 'A file with this name already exists in the keystore.');
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EXDEV' && code !== 'ENOSYS') throw err;
    if (await exists(target)) throw new EidError('already-exists', 'A file with this name already exists in the keystore.');
    await renameWithRetry(tmp, target);
    return;
  }
  // Both names point at the complete file now; a crash before this unlink leaves a temp file
  // that the next sweep removes.
  await fsp.unlink(tmp);
}

/** Removes a file and makes the removal durable; a missing file is not an error. */
export async function removeFileDurably(file: string): Promise<boolean> {
  try {
    await fsp.unlink(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
  await fsyncDir(path.dirname(file));
  return true;
}

async function exists(file: string): Promise<boolean> {
  try {
    await fsp.lstat(file);
    return true;
  } catch {
    return false;
  }
}

function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else, so it is alive.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Deletes temp files left by writers that died (their pid is gone, or the file is a day old).
 * A live writer's temp file (another eID Desk process on the same store) is left alone.
 * Returns how many were removed.
 */
export async function sweepTempFiles(dir: string, now = Date.now()): Promise<number> {
  let removed = 0;
  for (const name of await fsp.readdir(dir)) {
    const m = TEMP_RE.exec(name);
    if (!m) continue;
    const file = path.join(dir, name);
    let stale = !processAlive(Number(m[2]));
    if (!stale) {
      const st = await fsp.lstat(file).catch(() => null);
      stale = st !== null && now - st.mtimeMs > STALE_TEMP_MS;
    }
    if (stale) {
      await fsp.rm(file, { force: true });
      removed++;
    }
  }
  return removed;
}
