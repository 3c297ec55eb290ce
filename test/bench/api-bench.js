// API benchmark: many users, then random pages of GET /hub/api/users with the pagination
// header, one request at a time; sciencehub and JupyterHub 3.0 side by side.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { startSciencehub } = require('./hubs/sciencehub');
const { startJupyterhub } = require('./hubs/jupyterhub');
const { percentile, ms, ratio, table } = require('./lib/stats');

const PAGE = 200;

/** Create `count` users, `batch` per POST; total ms and each batch's ms (growth shows O(n²)). */
async function createUsers(hub, count, batch) {
  const t0 = performance.now();
  const batchMs = [];
  for (let start = 0; start < count; start += batch) {
    const usernames = Array.from({ length: Math.min(batch, count - start) }, (_, k) => `user${String(start + k).padStart(5, '0')}`);
    const r = await hub.api('POST', '/users', { usernames });
    if (r.status !== 201) throw new Error(`${hub.label}: POST /users (batch at ${start}) answered ${r.status}: ${r.body.slice(0, 200)}`);
    batchMs.push(r.ms);
  }
  return { totalMs: performance.now() - t0, batchMs };
}

/** A fixed pseudo-random sequence of offsets, the same for both hubs. */
function offsets(n, users) {
  let x = 12345;
  return Array.from({ length: n }, () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x % (users - PAGE + 1);
  });
}

async function pages(hub, list, users) {
  const times = [];
  for (const offset of list) {
    const r = await hub.api('GET', `/users?offset=${offset}&limit=${PAGE}`, undefined, { accept: 'application/jupyterhub-pagination+json' });
    if (r.status !== 200) throw new Error(`${hub.label}: GET /users?offset=${offset} answered ${r.status}: ${r.body.slice(0, 200)}`);
    const body = JSON.parse(r.body);
    if (!Array.isArray(body.items) || body.items.length !== PAGE || body._pagination?.total !== users) {
      throw new Error(`${hub.label}: page at ${offset} has ${body.items?.length} items, total ${body._pagination?.total} (expected ${PAGE} of ${users})`);
    }
    times.push(r.ms);
  }
  return times;
}

async function runApiBench({ procs, tmpRoot, singleuserCmd, cli, users = 10000, requests = 500, withJupyterhub = true, log }) {
  const list = offsets(requests, users);
  const result = { users, requests, ours: null, theirs: null };
  const targets = [['ours', startSciencehub, 'api-sciencehub', 1000]];
  if (withJupyterhub) targets.push(['theirs', startJupyterhub, 'api-jupyterhub', 1000]);
  for (const [key, start, dirName, batch] of targets) {
    const workDir = path.join(tmpRoot, dirName);
    fs.mkdirSync(workDir, { recursive: true });
    const hub = await start(procs, { workDir, singleuserCmd, cli });
    try {
      log(`${hub.label}: creating ${users} users ...`);
      const created = await createUsers(hub, users, batch);
      log(`${hub.label}: ${requests} random pages ...`);
      await pages(hub, list.slice(0, 20), users); // warm-up, not counted
      const times = await pages(hub, list, users);
      result[key] = { label: hub.label, createMs: created.totalMs, batchMs: created.batchMs, times, rss: hub.hubRssMiB() };
    } finally {
      hub.close();
      for (const entry of hub.entries) await procs.stop(entry);
    }
  }
  return result;
}

function reportApi(res) {
  const { ours, theirs } = res;
  const col = (r, f) => (r ? f(r) : 'n/a');
  const p = (q) => (r) => percentile(r.times, q);
  const rows = [
    ['', 'sciencehub', 'JupyterHub 3.0', 'ours/theirs'],
    [`create ${res.users} users (POST /users, 1000 a batch)`, col(ours, (r) => ms(r.createMs)), col(theirs, (r) => ms(r.createMs)), ours && theirs ? ratio(ours.createMs, theirs.createMs) : ''],
    ['    first → last batch', col(ours, (r) => `${ms(r.batchMs[0])} → ${ms(r.batchMs.at(-1))}`), col(theirs, (r) => `${ms(r.batchMs[0])} → ${ms(r.batchMs.at(-1))}`), ''],
    [`GET /users page of ${PAGE}, ${res.requests} random offsets: p50`, col(ours, (r) => ms(p(50)(r))), col(theirs, (r) => ms(p(50)(r))), ours && theirs ? ratio(p(50)(ours), p(50)(theirs)) : ''],
    ['    p90', col(ours, (r) => ms(p(90)(r))), col(theirs, (r) => ms(p(90)(r))), ours && theirs ? ratio(p(90)(ours), p(90)(theirs)) : ''],
    ['    p99', col(ours, (r) => ms(p(99)(r))), col(theirs, (r) => ms(p(99)(r))), ours && theirs ? ratio(p(99)(ours), p(99)(theirs)) : ''],
    ['    max', col(ours, (r) => ms(Math.max(...r.times))), col(theirs, (r) => ms(Math.max(...r.times))), ''],
    ['hub RSS after', col(ours, (r) => `${r.rss?.toFixed(0)} MiB`), col(theirs, (r) => `${r.rss?.toFixed(0)} MiB`), ''],
  ];
  const p99 = ours ? percentile(ours.times, 99) : NaN;
  return [
    table(rows),
    '',
    `target: sciencehub p99 < 20 ms: ${ms(p99)} → ${p99 < 20 ? 'MET' : 'NOT MET'}`,
    'Requests go straight to each hub\'s own port (not through the proxy), one at a time, keep-alive, service token.',
  ].join('\n');
}

module.exports = { runApiBench, reportApi };
