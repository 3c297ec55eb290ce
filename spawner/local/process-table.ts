// Children this spawner instance launched, with how they exited. Only an instance that launched a
// process learns its exit code; after a hub restart, liveness comes from /proc alone.
import type { ChildProcess } from 'node:child_process';

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

interface Entry {
  exit: ExitInfo | null;
  exited: Promise<ExitInfo>;
}

export class ProcessTable {
  private readonly entries = new Map<number, Entry>();

  /** Track a freshly spawned child; it must already have a pid. */
  track(pid: number, child: ChildProcess): void {
    const entry: Entry = {
      exit: null,
      exited: new Promise<ExitInfo>((resolve) => {
        child.once('exit', (code, signal) => {
          entry.exit = { code, signal };
          resolve(entry.exit);
        });
      }),
    };
    this.entries.set(pid, entry);
  }

  /** How the child exited, or null if it runs still or was not launched by this instance. */
  exitOf(pid: number): ExitInfo | null {
    return this.entries.get(pid)?.exit ?? null;
  }

  exited(pid: number): Promise<ExitInfo> | null {
    return this.entries.get(pid)?.exited ?? null;
  }

  forget(pid: number): void {
    this.entries.delete(pid);
  }

  clear(): void {
    this.entries.clear();
  }
}

export function describeExit(exit: ExitInfo): string {
  if (exit.code !== null) return `exit code ${exit.code}`;
  return `signal ${exit.signal ?? 'unknown'}`;
}
