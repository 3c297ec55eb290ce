// Child processes of the benchmark: start each in its own process group, and stop every one
// of them and everything they started (by pid tree snapshot), even after errors.
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');

const handedOut = new Set();

/**
 * A free loopback port (ask the kernel for port 0, then release it). Linux may hand the same
 * port to the next bind(0) once it is released, so never return one twice in this process.
 */
async function freePort() {
  for (;;) {
    const port = await new Promise((resolve, reject) => {
      const srv = net.createServer();
      srv.unref();
      srv.on('error', reject);
      srv.listen(0, '127.0.0.1', () => {
        const { port: p } = srv.address();
        srv.close(() => resolve(p));
      });
    });
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}

function readStat(pid) {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces or parentheses: fields start after the last ')'.
    const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state: rest[0], ppid: Number(rest[1]) };
  } catch {
    return null;
  }
}

/** True while pid exists and is not a zombie (PID 1 here does not reap orphans). */
function isAlive(pid) {
  const st = readStat(pid);
  return st !== null && st.state !== 'Z' && st.state !== 'X';
}

/** All live descendants of the given pids (walks the ppid links of /proc once). */
function descendants(roots) {
  const children = new Map();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const st = readStat(Number(entry));
    if (!st || st.state === 'Z') continue;
    if (!children.has(st.ppid)) children.set(st.ppid, []);
    children.get(st.ppid).push(Number(entry));
  }
  const out = new Set();
  const queue = [...roots];
  while (queue.length) {
    const pid = queue.pop();
    for (const c of children.get(pid) ?? []) {
      if (!out.has(c)) { out.add(c); queue.push(c); }
    }
  }
  return [...out];
}

/** VmRSS of a process in MiB, or null when it is gone. */
function rssMiB(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

function cmdline(pid) {
  try { return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' '); } catch { return ''; }
}

function sleep(ms) { return new Promise((r) => setTimeout(r, ms)); }

function signal(pid, sig, group) {
  try { process.kill(group ? -pid : pid, sig); } catch { /* already gone */ }
}

/** Every process this benchmark started, so that one call stops them all. */
class ProcessSet {
  constructor() {
    this.procs = [];
    /** Descriptions of processes that exited without stop() being asked. */
    this.unexpected = [];
  }

  /** Start `cmd args` detached (own process group), stdout+stderr appended to logFile. */
  start(name, cmd, args, { env = process.env, cwd, logFile }) {
    const fd = fs.openSync(logFile, 'a');
    const child = spawn(cmd, args, { cwd, env, detached: true, stdio: ['ignore', fd, fd] });
    fs.closeSync(fd);
    const entry = { name, child, pid: child.pid, logFile, exited: false, code: null, stopping: false };
    child.on('exit', (code, sig) => {
      entry.exited = true;
      entry.code = code ?? sig;
      // A process that ends on its own (or is killed by someone else) would skew every later figure.
      if (!entry.stopping) {
        this.unexpected.push(`${name} (pid ${entry.pid}) exited by itself with ${code ?? sig} at ${new Date().toISOString()}; log ${logFile}`);
        process.stderr.write(`!! ${this.unexpected.at(-1)}\n`);
      }
    });
    child.on('error', (err) => { entry.exited = true; entry.code = err.message; });
    this.procs.push(entry);
    return entry;
  }

  /** SIGTERM each process group, wait up to graceMs, then SIGKILL whatever of the tree is left. */
  async stop(entry, graceMs = 8000) {
    entry.stopping = true;
    const tree = [entry.pid, ...descendants([entry.pid])];
    signal(entry.pid, 'SIGTERM', true);
    const deadline = Date.now() + graceMs;
    while (Date.now() < deadline && tree.some(isAlive)) await sleep(50);
    // Grandchildren may have started their own sessions (servers, proxies): the snapshot finds them.
    for (const pid of [...tree, ...descendants(tree)]) {
      if (isAlive(pid)) { signal(pid, 'SIGKILL', true); signal(pid, 'SIGKILL', false); }
    }
    this.procs = this.procs.filter((p) => p !== entry);
  }

  async stopAll() {
    // Newest first: hubs before the proxies they talk to.
    for (const entry of [...this.procs].reverse()) await this.stop(entry);
  }

  /** Kill synchronously (for process exit handlers, where nothing async runs). */
  killAllNow() {
    for (const entry of this.procs) {
      entry.stopping = true;
      const tree = [entry.pid, ...descendants([entry.pid])];
      for (const pid of tree) { signal(pid, 'SIGKILL', true); signal(pid, 'SIGKILL', false); }
    }
    this.procs = [];
  }
}

/** Wait until GET url answers with a status below 500, or throw after timeoutMs. */
async function waitForHttp(url, timeoutMs, entry) {
  const http = require('node:http');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise((resolve) => {
      const req = http.get(url, { agent: false }, (res) => { res.resume(); resolve(res.statusCode < 500); });
      req.on('error', () => resolve(false));
      req.setTimeout(2000, () => { req.destroy(); resolve(false); });
    });
    if (ok) return;
    if (entry && entry.exited) throw new Error(`${entry.name} exited (${entry.code}) before answering ${url}; see ${entry.logFile}`);
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs} ms`);
    await sleep(20);
  }
}

module.exports = { freePort, ProcessSet, descendants, isAlive, rssMiB, cmdline, sleep, waitForHttp };
