// The `<state file>.lock` file that keeps a second live process off one state file.
// Holds the owner's pid; taken with O_EXCL; a lock left by a dead process is taken over.
import { open, readFile, unlink } from 'node:fs/promises';
import { StoreError } from './collections';

/** Lock paths this process holds: a lock naming our own pid but absent here is a previous life's. */
const heldByThisProcess = new Set<string>();

export interface FileLock {
  readonly path: string;
  release(): Promise<void>;
}

export interface LockLogger {
  warn(obj: object, msg: string): void;
}

/** Take the lock at `lockPath` or throw a StoreError naming the live process that holds it. */
export async function acquireFileLock(lockPath: string, statePath: string, logger: LockLogger): Promise<FileLock> {
  if (heldByThisProcess.has(lockPath)) {
    throw new StoreError(`state file ${statePath} is already open in this process (lock ${lockPath})`);
  }
  // Two attempts: the second follows the removal of a stale lock.
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fh = await open(lockPath, 'wx', 0o600);
      try {
        await fh.writeFile(`${process.pid}\n`);
        await fh.sync();
      } finally {
        await fh.close();
      }
      heldByThisProcess.add(lockPath);
      return { path: lockPath, release: () => releaseLock(lockPath) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new StoreError(`cannot create lock ${lockPath} for state file ${statePath}: ${(err as Error).message}`);
      }
    }
    const owner = await readLockOwner(lockPath);
    if (owner !== null && owner !== process.pid && isAlive(owner)) {
      throw new StoreError(
        `state file ${statePath} is in use by process ${owner} (lock ${lockPath}); ` +
          'stop that process, or use the redis store to run several hubs',
      );
    }
    logger.warn({ lock: lockPath, stalePid: owner }, 'taking over a stale state file lock');
    await unlink(lockPath).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
  }
  throw new StoreError(`cannot take lock ${lockPath} for state file ${statePath}: another process keeps creating it`);
}

/** The pid in a lock file, or null when the file is empty or unreadable (a crash mid-creation). */
async function readLockOwner(lockPath: string): Promise<number | null> {
  try {
    const text = (await readFile(lockPath, 'utf8')).trim();
    return /^\d+$/.test(text) ? Number(text) : null;
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else, so it is alive.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function releaseLock(lockPath: string): Promise<void> {
  if (!heldByThisProcess.delete(lockPath)) return;
  // Only remove the file if it is still ours (an operator may have removed and re-created it).
  if ((await readLockOwner(lockPath)) !== process.pid) return;
  await unlink(lockPath).catch(() => undefined);
}
