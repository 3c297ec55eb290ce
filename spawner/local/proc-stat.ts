// Process identity from Linux /proc/<pid>/stat: state, process group and start time.
// The start time (clock ticks since boot) tells a live server from a new process reusing its pid.
import { readFileSync } from 'node:fs';

export interface ProcStat {
  pid: number;
  /** One letter: R, S, D, Z (zombie), T, X ... */
  state: string;
  pgrp: number;
  /** Field 22 of /proc/<pid>/stat, in clock ticks since boot. */
  startTime: number;
}

/** Parse the text of /proc/<pid>/stat; null if it is not in the expected shape. */
export function parseProcStat(text: string): ProcStat | null {
  // comm (field 2) may hold spaces and parentheses, so split after the LAST ')'.
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 1 || close < open) return null;
  const pid = Number(text.slice(0, open).trim());
  const rest = text.slice(close + 1).trim().split(/\s+/);
  const state = rest[0];
  const pgrp = Number(rest[2]);
  const startTime = Number(rest[19]);
  if (!Number.isInteger(pid) || state === undefined || !/^[A-Za-z]$/.test(state)) return null;
  if (!Number.isInteger(pgrp) || !Number.isInteger(startTime)) return null;
  return { pid, state, pgrp, startTime };
}

export function readProcStat(pid: number): ProcStat | null {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return null;
  }
}

/** Zombies and dead entries count as gone: PID 1 here may never reap an adopted child. */
export function isLiveState(stat: ProcStat | null): stat is ProcStat {
  return stat !== null && stat.state !== 'Z' && stat.state !== 'X' && stat.state !== 'x';
}

/** Alive, not a zombie, and the very process we started (same start time). */
export function isSameProcessAlive(pid: number, startTime: number): boolean {
  const stat = readProcStat(pid);
  return isLiveState(stat) && stat.startTime === startTime;
}
