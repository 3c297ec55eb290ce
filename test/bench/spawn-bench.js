// Spawn benchmark: sciencehub and JupyterHub 3.0 side by side, interleaved, serving the same
// jupyterhub-singleuser: one sign-in to the server's first 200, 20 at once, hub RSS, server start.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { startSciencehub } = require('./hubs/sciencehub');
const { startJupyterhub } = require('./hubs/jupyterhub');
const { startFakeHubApi, measureServerStart, measureManyServerStarts } = require('./lib/server-start');
const { sleep } = require('./lib/processes');
const { percentile, median, ms, mib, ratio, table } = require('./lib/stats');

/** Stop the default servers of `users` through the API and wait until the hub reports none. */
async function stopServers(hub, users, timeoutMs = 90000) {
  await Promise.all(users.map((u) => hub.api('DELETE', `/users/${encodeURIComponent(u)}/server`)));
  const deadline = Date.now() + timeoutMs;
  for (const u of users) {
    for (;;) {
      const r = await hub.api('GET', `/users/${encodeURIComponent(u)}`);
      const model = r.status === 200 ? JSON.parse(r.body) : null;
      const busy = model && (model.server || model.pending || Object.keys(model.servers ?? {}).length > 0);
      if (!busy) break;
      if (Date.now() > deadline) throw new Error(`${hub.label}: server of ${u} still there after ${timeoutMs} ms`);
      await sleep(100);
    }
  }
}

function assertAlive(hub) {
  const dead = hub.entries.find((e) => e.exited);
  if (dead) throw new Error(`${hub.label}: ${dead.name} (pid ${dead.pid}) is gone (exit ${dead.code}); see ${dead.logFile}`);
}

async function oneSignIn(hub, user, failures) {
  assertAlive(hub);
  try {
    return (await hub.signIn(user)).ms;
  } catch (err) {
    failures.push(`${hub.label} ${user}: ${err.message}`);
    return null;
  } finally {
    await stopServers(hub, [user]).catch((err) => failures.push(`${hub.label} stop ${user}: ${err.message}`));
  }
}

/** n users sign in at the same moment; total wall time and per-user times. */
async function manyAtOnce(hub, users, failures) {
  assertAlive(hub);
  const t0 = performance.now();
  const results = await Promise.all(users.map((u) => hub.signIn(u).then((r) => r.ms, (err) => {
    failures.push(`${hub.label} ${u}: ${err.message}`);
    return null;
  })));
  const totalMs = performance.now() - t0;
  const hubRss = hub.hubRssMiB();
  const proxyRss = hub.proxyRssMiB();
  await stopServers(hub, users).catch((err) => failures.push(`${hub.label} stop: ${err.message}`));
  return { totalMs, perUser: results.filter((v) => v !== null), hubRss, proxyRss };
}

async function runSpawnBench({ procs, tmpRoot, singleuserCmd, cli, singles = 9, concurrent = 20, rounds = 2, log }) {
  const failures = [];
  const dirs = { ours: path.join(tmpRoot, 'spawn-sciencehub'), theirs: path.join(tmpRoot, 'spawn-jupyterhub'), direct: path.join(tmpRoot, 'direct') };
  Object.values(dirs).forEach((d) => fs.mkdirSync(d, { recursive: true }));
  const fakeHub = await startFakeHubApi();
  try {
    log('starting sciencehub and JupyterHub 3.0 ...');
    const ours = await startSciencehub(procs, { workDir: dirs.ours, singleuserCmd, cli });
    const theirs = await startJupyterhub(procs, { workDir: dirs.theirs, singleuserCmd });
    const hubs = [ours, theirs];
    const idle = { ours: { hub: ours.hubRssMiB(), proxy: ours.proxyRssMiB() }, theirs: { hub: theirs.hubRssMiB(), proxy: theirs.proxyRssMiB() } };
    try {
      // Warm-up (not counted): page caches for python imports, first-request code paths.
      log('warm-up ...');
      await measureServerStart(procs, { workDir: dirs.direct, singleuserCmd, fakeHub, index: 0 });
      for (const hub of hubs) await oneSignIn(hub, 'warmup', failures);

      const single = { ours: [], theirs: [], direct: [] };
      for (let i = 1; i <= singles; i++) {
        log(`single sign-in ${i}/${singles} ...`);
        single.direct.push(await measureServerStart(procs, { workDir: dirs.direct, singleuserCmd, fakeHub, index: i }));
        // Alternate who goes first, so that drift of the machine hits both alike.
        const order = i % 2 ? [['ours', ours], ['theirs', theirs]] : [['theirs', theirs], ['ours', ours]];
        for (const [key, hub] of order) {
          const v = await oneSignIn(hub, `single${i}`, failures);
          if (v !== null) single[key].push(v);
        }
      }

      const many = { ours: [], theirs: [], direct: [] };
      for (let r = 1; r <= rounds; r++) {
        // The floor for (b): the same number of servers launched directly, no hub at all.
        log(`${concurrent} at once, round ${r}/${rounds}: direct launch ...`);
        const direct = await measureManyServerStarts(procs, { workDir: dirs.direct, singleuserCmd, fakeHub, n: concurrent, tag: r });
        direct.failed.forEach((f) => failures.push(`direct launch: ${f}`));
        many.direct.push(direct);
        const order = r % 2 ? [['ours', ours], ['theirs', theirs]] : [['theirs', theirs], ['ours', ours]];
        for (const [key, hub] of order) {
          log(`${concurrent} at once, round ${r}/${rounds}: ${hub.label} ...`);
          const users = Array.from({ length: concurrent }, (_, k) => `many${r}x${k}`);
          many[key].push(await manyAtOnce(hub, users, failures));
        }
      }
      return { single, many, idle, startup: { ours: ours.startupMs, theirs: theirs.startupMs }, failures, concurrent };
    } finally {
      hubs.forEach((h) => h.close());
    }
  } finally {
    fakeHub.close();
  }
}

function reportSpawn(res) {
  const { single, many, idle, concurrent } = res;
  const start = median(single.direct);
  const one = { ours: median(single.ours), theirs: median(single.theirs) };
  const flat = (key) => many[key].flatMap((m) => m.perUser ?? m.perServer);
  const total = (key) => median(many[key].map((m) => m.totalMs));
  const last = (key) => many[key].at(-1) ?? {};
  // No hub can finish (b) before the servers' own start-up CPU has run on every core.
  const cpuBound = (concurrent * start) / require('node:os').cpus().length;
  const rows = [
    ['', 'sciencehub', 'JupyterHub 3.0', 'ours/theirs'],
    ['hub start-up (to API + proxy answering)', ms(res.startup.ours), ms(res.startup.theirs), ratio(res.startup.ours, res.startup.theirs)],
    [`(a) sign-in → first 200 byte, median of ${single.ours.length}/${single.theirs.length}`, ms(one.ours), ms(one.theirs), ratio(one.ours, one.theirs)],
    ['    min … max', `${ms(Math.min(...single.ours))} … ${ms(Math.max(...single.ours))}`, `${ms(Math.min(...single.theirs))} … ${ms(Math.max(...single.theirs))}`, ''],
    ['    overhead over server start (a − d)', ms(one.ours - start), ms(one.theirs - start), ratio(one.ours - start, one.theirs - start)],
    [`(b) ${concurrent} at once: total, median of ${many.ours.length} rounds`, ms(total('ours')), ms(total('theirs')), ratio(total('ours'), total('theirs'))],
    ['    per user p50', ms(percentile(flat('ours'), 50)), ms(percentile(flat('theirs'), 50)), ratio(percentile(flat('ours'), 50), percentile(flat('theirs'), 50))],
    ['    per user p99', ms(percentile(flat('ours'), 99)), ms(percentile(flat('theirs'), 99)), ratio(percentile(flat('ours'), 99), percentile(flat('theirs'), 99))],
    ['(c) hub RSS idle → after last round', `${mib(idle.ours.hub)} → ${mib(last('ours').hubRss)}`, `${mib(idle.theirs.hub)} → ${mib(last('theirs').hubRss)}`, ratio(last('ours').hubRss, last('theirs').hubRss)],
    ['    proxy RSS idle → after last round', `${mib(idle.ours.proxy)} → ${mib(last('ours').proxyRss)}`, `${mib(idle.theirs.proxy)} → ${mib(last('theirs').proxyRss)}`, ratio(last('ours').proxyRss, last('theirs').proxyRss)],
    [`(d) singleuser launch → first answer, median of ${single.direct.length}`, ms(start), ms(start), ''],
    [`(e) ${concurrent} launched directly at once: total`, ms(total('direct')), ms(total('direct')), ''],
    ['    (b) − (e): over launching all at once', ms(total('ours') - total('direct')), ms(total('theirs') - total('direct')), ''],
    [`(f) CPU bound: ${concurrent} × (d) / cores (servers' own start only)`, ms(cpuBound), ms(cpuBound), ratio(cpuBound, total('theirs'))],
  ];
  const overheadRatio = (one.ours - start) / (one.theirs - start);
  const manyRatio = total('ours') / total('theirs');
  const verdict = (ok) => (ok ? 'MET' : 'NOT MET');
  return [
    table(rows),
    '',
    `target: our sign-in overhead ≤ 1/3 of JupyterHub's: ${overheadRatio.toFixed(2)} → ${verdict(overheadRatio <= 1 / 3)}`,
    `target: ${concurrent} at once in ≤ 0.6× JupyterHub's time:  ${manyRatio.toFixed(2)} → ${verdict(manyRatio <= 0.6)} (the CPU bound (f) alone is ${(cpuBound / total('theirs')).toFixed(2)}×)`,
    `rounds (total): sciencehub ${many.ours.map((m) => ms(m.totalMs)).join(', ')}; JupyterHub ${many.theirs.map((m) => ms(m.totalMs)).join(', ')}; direct ${many.direct.map((m) => ms(m.totalMs)).join(', ')}`,
    `(e): ${concurrent} servers launched at once, no hub. (f): a server's start is CPU work ((d) ≈ its CPU time), so no hub can`,
    `finish (b) before ${concurrent} × (d) has run on ${require('node:os').cpus().length} cores. sciencehub's local spawner starts one server per core at a time (the`,
    'rest wait in line, which beats (e)), so its median user is served well before the last; JupyterHub starts all at once.',
    'JupyterHub runs SimpleLocalProcessSpawner (LocalProcessSpawner needs a system user per hub user); both hubs run',
    'the same jupyterhub-singleuser 3.0 (notebook 6.4) as root with --allow-root, each behind its own proxy',
    '(sciencehub: its own proxy; JupyterHub: Debian configurable-http-proxy 4.5.3). (d) is measured with a stand-in hub API.',
    ...(res.failures.length ? ['', `FAILURES (${res.failures.length}):`, ...res.failures.map((f) => `  ${f}`)] : []),
  ].join('\n');
}

module.exports = { runSpawnBench, reportSpawn };
