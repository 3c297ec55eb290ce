#!/usr/bin/env node
// Benchmarks of sciencehub on this machine, side by side with what it replaces:
// `run.js [spawn|api|proxy|kubernetes|workshop]` (no argument runs them all). Every process it starts is stopped at the end, also on errors.
// Knobs (env): BENCH_SINGLES=5 BENCH_CONCURRENT=20 BENCH_ROUNDS=2 BENCH_USERS=10000
// BENCH_REQUESTS=500 BENCH_API_JUPYTERHUB=1 BENCH_KEEP_TMP=0 (keep logs even on success).
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { ProcessSet } = require('./lib/processes');

/**
 * Each suite: `run(ctx) -> { text, failed }`, where ctx = { procs, tmpRoot, cli, log, intEnv }.
 * Loaded lazily so that one suite's missing tool does not stop the others.
 */
const SUITES = {
  spawn: async (ctx) => {
    const { runSpawnBench, reportSpawn } = require('./spawn-bench');
    const res = await runSpawnBench({
      ...ctx, singleuserCmd: requireSingleuser(),
      singles: intEnv('BENCH_SINGLES', 9), concurrent: intEnv('BENCH_CONCURRENT', 20), rounds: intEnv('BENCH_ROUNDS', 2),
    });
    return { text: reportSpawn(res), failed: res.failures.length > 0 };
  },
  api: async (ctx) => {
    const { runApiBench, reportApi } = require('./api-bench');
    const res = await runApiBench({
      ...ctx, singleuserCmd: requireSingleuser(),
      users: intEnv('BENCH_USERS', 10000), requests: intEnv('BENCH_REQUESTS', 500),
      withJupyterhub: process.env.BENCH_API_JUPYTERHUB !== '0',
    });
    return { text: reportApi(res), failed: false };
  },
  proxy: (ctx) => require('./proxy-bench').run(ctx),
  kubernetes: (ctx) => require('./kubernetes-bench').run(ctx),
  workshop: (ctx) => require('./workshop-bench').run(ctx),
};

const intEnv = (name, dflt) => {
  const v = process.env[name];
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got "${v}"`);
  return n;
};

/**
 * A private copy of dist/ for this run: other people rebuild dist/ while we measure, and a
 * half-written build must not break or skew a run. node_modules is reached through a symlink.
 */
function snapshotBuild(tmpRoot) {
  const root = path.resolve(__dirname, '../..');
  const dist = path.join(root, 'dist');
  if (!fs.existsSync(path.join(dist, 'hub/cli.js'))) throw new Error(`${dist}/hub/cli.js is missing: run npm run build first`);
  const copy = path.join(tmpRoot, 'build');
  fs.cpSync(dist, path.join(copy, 'dist'), { recursive: true });
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(copy, 'node_modules'));
  // The hub reads the image catalog from images/catalog.yaml beside dist/.
  fs.cpSync(path.join(root, 'images/catalog.yaml'), path.join(copy, 'images/catalog.yaml'));
  return path.join(copy, 'dist/hub/cli.js');
}

function which(cmd) {
  try { return execFileSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).trim(); } catch { return null; }
}

function requireSingleuser() {
  const singleuserCmd = which('jupyterhub-singleuser');
  if (!singleuserCmd || !which('jupyterhub')) throw new Error('jupyterhub and jupyterhub-singleuser must be installed (apt-get install jupyterhub)');
  return singleuserCmd;
}

async function main() {
  const suite = process.argv[2] ?? 'all';
  if (suite !== 'all' && !(suite in SUITES)) {
    process.stderr.write(`usage: node test/bench/run.js [${Object.keys(SUITES).join('|')}]  (got "${suite}")\n`);
    process.exit(2);
  }
  const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'sciencehub-bench-'));
  const procs = new ProcessSet();
  let failed = false;
  const onSignal = (sig) => {
    process.stderr.write(`\n${sig}: stopping every process the benchmark started; logs in ${tmpRoot}\n`);
    procs.killAllNow();
    process.exit(130);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('exit', () => procs.killAllNow());
  const t0 = Date.now();
  const cli = snapshotBuild(tmpRoot);
  const log = (msg) => process.stderr.write(`[${((Date.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${msg}\n`);
  const out = [];
  try {
    out.push(`sciencehub benchmarks, ${new Date().toISOString()}, ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    process.stdout.write(`${out.join('\n')}\n`);
    for (const name of suite === 'all' ? Object.keys(SUITES) : [suite]) {
      log(`suite ${name}`);
      try {
        const res = await SUITES[name]({ procs, tmpRoot, cli, log, intEnv });
        process.stdout.write(`\n== ${name} ==\n${res.text}\n`);
        if (res.failed) failed = true;
      } catch (err) {
        failed = true;
        process.stderr.write(`suite ${name} failed: ${err.stack ?? err}\n`);
      } finally {
        await procs.stopAll();
      }
    }
    log(`done in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  } catch (err) {
    failed = true;
    process.stderr.write(`benchmark failed: ${err.stack ?? err}\nlogs are in ${tmpRoot}\n`);
  } finally {
    await procs.stopAll();
  }
  if (procs.unexpected.length) {
    failed = true;
    process.stderr.write(`processes that ended on their own during the run:\n${procs.unexpected.map((u) => `  ${u}`).join('\n')}\n`);
  }
  if (failed || process.env.BENCH_KEEP_TMP === '1') process.stderr.write(`logs kept in ${tmpRoot}\n`);
  else fs.rmSync(tmpRoot, { recursive: true, force: true });
  process.exitCode = failed ? 1 : 0;
}

main();
