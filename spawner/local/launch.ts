// Launch one single-user process: detached in its own process group (so a hub restart or a
// Ctrl-C in the hub's terminal does not take it down), output appended to a log file.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, openSync } from 'node:fs';
import { SpawnError } from '../errors';
import { readProcStat } from './proc-stat';

export interface LaunchSpec {
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  logFile: string;
}

export interface Launched {
  child: ChildProcess;
  pid: number;
  /** From /proc/<pid>/stat; null when the process was already gone when we looked. */
  startTime: number | null;
}

export async function launchProcess(spec: LaunchSpec): Promise<Launched> {
  const fd = openSync(spec.logFile, 'w', 0o600);
  let child: ChildProcess;
  try {
    child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: spec.env,
      detached: true,
      stdio: ['ignore', fd, fd],
    });
  } catch (err) {
    throw new SpawnError('Your server could not be launched.', 'spawn-failed', `spawn ${spec.command}: ${String(err)}`);
  } finally {
    closeSync(fd);
  }
  const pid = child.pid;
  if (pid === undefined) {
    // Node reports ENOENT/EACCES asynchronously through 'error'.
    const [err] = (await once(child, 'error')) as [Error];
    throw new SpawnError('Your server could not be launched.', 'spawn-failed', `spawn ${spec.command}: ${err.message}`);
  }
  child.on('error', () => {
    // Only kill() failures land here; we signal through process.kill instead, so nothing to do.
  });
  // The hub must be able to exit while its servers run on.
  child.unref();
  // Read before yielding to the event loop: node cannot reap the child until then.
  const stat = readProcStat(pid);
  return { child, pid, startTime: stat?.startTime ?? null };
}

/** Signal the whole process group (the server and its kernels); fall back to the pid alone. */
export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
    return;
  } catch {
    // Not a group leader (the command may have moved itself): signal the process.
  }
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}
