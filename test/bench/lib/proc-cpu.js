// CPU time (user + system) and memory of a process and its descendants, from /proc.
'use strict';
const fs = require('node:fs');
const { descendants, rssMiB } = require('./processes');

const TICK_US = 1e6 / 100; // USER_HZ is 100 on Linux

function ticks(pid) {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]); // utime, stime (fields 14 and 15)
  } catch {
    return 0;
  }
}

/** CPU microseconds used so far by pid and its live descendants. */
function treeCpuUs(pid) {
  return [pid, ...descendants([pid])].reduce((sum, p) => sum + ticks(p), 0) * TICK_US;
}

/** Resident memory of pid and its descendants, MiB. */
function treeRssMiB(pid) {
  return [pid, ...descendants([pid])].reduce((sum, p) => sum + (rssMiB(p) ?? 0), 0);
}

module.exports = { treeCpuUs, treeRssMiB };
