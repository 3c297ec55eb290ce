// Proxy benchmark: the same load (wrk, keep-alive, 64 connections, 12-byte and 64 KiB bodies,
// plus websocket connects and echoes) against the backend directly, our proxy in one process and
// with workers, and configurable-http-proxy 5.3 from npm, with 1 and 10,000 routes, interleaved
// rounds so that machine drift hits all alike. Also: route registration, lookups at 1 vs 100,000
// routes, CPU µs per request (/proc utime+stime), RSS, and Redis replica propagation. Prints ratios.
// Knobs (env): BENCH_PROXY_SECONDS=5 BENCH_PROXY_ROUNDS=3 BENCH_PROXY_ROUTES=10000
// BENCH_PROXY_WORKERS=2 BENCH_PROXY_WS_CONNECTS=300 BENCH_PROXY_WS_ECHOES=2000 BENCH_PROXY_LOOKUP_ROUTES=100000
'use strict';
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const crypto = require('node:crypto');
const { execFileSync } = require('node:child_process');
const { freePort, waitForHttp, sleep } = require('./lib/processes');
const { runWrk } = require('./lib/wrk');
const { treeCpuUs, treeRssMiB } = require('./lib/proc-cpu');
const { connectTimes, echoTimes } = require('./lib/ws-timing');
const { median, percentile, ms, mib, ratio, table } = require('./lib/stats');

const ROOT = path.resolve(__dirname, '../..');
const CHP_BIN = path.join(ROOT, 'node_modules/configurable-http-proxy/bin/configurable-http-proxy');

function api(port, token, method, urlPath, body, agent) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: urlPath, agent, headers: { Authorization: `token ${token}`, 'Content-Type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode, body: text }));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

/** Register `count` routes /user/u<i> with `concurrency` requests in flight; ms taken. */
async function registerRoutes(target, backendUrl, count, concurrency = 16) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  let next = 0;
  const t0 = performance.now();
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const r = await api(target.apiPort, target.token, 'POST', `/api/routes/user/u${i}`, { target: backendUrl, user: `u${i}`, server_name: '' }, agent);
      if (r.status !== 201) throw new Error(`${target.label}: registering route ${i} answered ${r.status}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  agent.destroy();
  return performance.now() - t0;
}

async function startProxyTarget(procs, dir, spec) {
  const [port, apiPort] = [await freePort(), await freePort()];
  const token = crypto.randomBytes(16).toString('hex');
  const entry = procs.start(spec.key, process.execPath, [...spec.argv, '--ip', '127.0.0.1', '--port', String(port), '--api-ip', '127.0.0.1', '--api-port', String(apiPort), '--log-level', 'info', ...(spec.extra ?? [])],
    { env: { ...process.env, CONFIGPROXY_AUTH_TOKEN: token }, logFile: path.join(dir, `${spec.key}.log`) });
  await waitForHttp(`http://127.0.0.1:${port}/_chp_healthz`, 30000, entry);
  return { ...spec, port, apiPort, token, pid: entry.pid, entry, url: `http://127.0.0.1:${port}`, ws: `ws://127.0.0.1:${port}` };
}

/**
 * ns per lookup on a table of `size` routes (pure CPU, in this process), every lookup two segments
 * deep. `spread`: 1024 different users in turn (a big table then also pays CPU cache misses);
 * otherwise one active user again and again (the algorithm alone).
 */
function lookupNs(MemoryRouteStore, size, lookups, spread) {
  const store = new MemoryRouteStore();
  for (let i = 0; i < size; i++) store.set(`/user/u${i}`, { target: 'http://127.0.0.1:1' });
  const paths = Array.from({ length: 1024 }, (_, k) => `/user/u${spread ? (k * 7919) % size : size - 1}/lab/tree/notebook.ipynb`);
  let hits = 0;
  for (let i = 0; i < 50000; i++) if (store.lookup(paths[i & 1023])) hits++; // warm-up
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < lookups; i++) if (store.lookup(paths[i & 1023])) hits++;
  const ns = Number(process.hrtime.bigint() - t0) / lookups;
  if (hits < lookups) throw new Error('lookup benchmark missed routes');
  return ns;
}

/** Time from a POST on replica A until replica B routes the new path (its local copy), `n` times. */
async function propagationTimes(procs, dir, cli, backendUrl, n, log) {
  let redisBin;
  try { redisBin = execFileSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).trim(); } catch { return null; }
  if (!redisBin) return null;
  const redisPort = await freePort();
  const redis = procs.start('redis', redisBin, ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { logFile: path.join(dir, 'redis.log') });
  await sleep(300);
  const extra = ['--redis-url', `redis://127.0.0.1:${redisPort}`];
  const a = await startProxyTarget(procs, dir, { key: 'replica-a', label: 'replica A', argv: [cli, 'proxy'], extra });
  const b = await startProxyTarget(procs, dir, { key: 'replica-b', label: 'replica B', argv: [cli, 'proxy'], extra });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const times = [];
  try {
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      const r = await api(a.apiPort, a.token, 'POST', `/api/routes/prop/p${i}`, { target: backendUrl });
      if (r.status !== 201) throw new Error(`replica A answered ${r.status}`);
      for (;;) {
        const status = await new Promise((resolve) => {
          http.get({ host: '127.0.0.1', port: b.port, path: `/prop/p${i}/x`, agent }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode)); }).on('error', () => resolve(0));
        });
        if (status === 200) break;
        if (performance.now() - t0 > 5000) throw new Error('replica B never routed the new path');
      }
      times.push(performance.now() - t0);
    }
  } finally {
    agent.destroy();
    for (const e of [a.entry, b.entry, redis]) await procs.stop(e);
  }
  log(`replica propagation: p50 ${ms(median(times))}`);
  return times;
}

async function run(ctx) {
  const { procs, tmpRoot, cli, log, intEnv } = ctx;
  const cfg = {
    seconds: intEnv('BENCH_PROXY_SECONDS', 5), rounds: intEnv('BENCH_PROXY_ROUNDS', 3), routes: intEnv('BENCH_PROXY_ROUTES', 10000),
    workers: intEnv('BENCH_PROXY_WORKERS', 2), wsConnects: intEnv('BENCH_PROXY_WS_CONNECTS', 300), wsEchoes: intEnv('BENCH_PROXY_WS_ECHOES', 2000),
    lookupRoutes: intEnv('BENCH_PROXY_LOOKUP_ROUTES', 100000),
  };
  if (!fs.existsSync('/usr/bin/wrk')) throw new Error('wrk is missing: apt-get install wrk (npm run bench:proxy installs it)');
  const dir = path.join(tmpRoot, 'proxy');
  fs.mkdirSync(dir, { recursive: true });
  const failures = [];

  const backendPort = await freePort();
  const backend = procs.start('bench-backend', process.execPath, [path.join(__dirname, 'lib/bench-backend.js'), String(backendPort)], { logFile: path.join(dir, 'backend.log') });
  const backendUrl = `http://127.0.0.1:${backendPort}`;
  await waitForHttp(`${backendUrl}/`, 10000, backend);
  const direct = { key: 'direct', label: 'backend direct', url: backendUrl, ws: `ws://127.0.0.1:${backendPort}`, pid: backend.pid };
  // The floor of the forwarding technique: a bare undici pipe without any proxy logic (HTTP only).
  const pipePort = await freePort();
  const pipeEntry = procs.start('undici-pipe', process.execPath, [path.join(__dirname, 'lib/undici-pipe.js'), String(pipePort), backendUrl], { logFile: path.join(dir, 'pipe.log') });
  const pipe = { key: 'pipe', label: 'undici pipe (floor)', url: `http://127.0.0.1:${pipePort}`, pid: pipeEntry.pid, entry: pipeEntry };
  await waitForHttp(`${pipe.url}/`, 10000, pipeEntry);
  const ours = await startProxyTarget(procs, dir, { key: 'ours', label: 'sciencehub proxy', argv: [cli, 'proxy'] });
  const oursW = await startProxyTarget(procs, dir, { key: 'oursW', label: `sciencehub --workers ${cfg.workers}`, argv: [cli, 'proxy'], extra: ['--workers', String(cfg.workers)] });
  const chp = await startProxyTarget(procs, dir, { key: 'chp', label: 'CHP 5.3', argv: [CHP_BIN] });
  const proxies = [ours, oursW, chp];
  const targets = [direct, pipe, ...proxies];
  for (const p of proxies) {
    const r = await api(p.apiPort, p.token, 'POST', '/api/routes/', { target: backendUrl });
    if (r.status !== 201) throw new Error(`${p.label}: adding route / answered ${r.status}`);
  }
  log(`proxy bench: backend, ${proxies.map((p) => p.label).join(', ')} up; warming up`);
  for (const t of targets) await runWrk(`${t.url}/warm`, { seconds: 1 });

  // results[config][size][key] = [{rps, p99, cpuUs}]
  const results = {};
  const registration = {};
  const mid = Math.floor(cfg.routes / 2);
  const configs = ['1 route', `${cfg.routes} routes`];
  for (const config of configs) {
    if (config !== configs[0]) {
      for (const p of [chp, ours, oursW]) {
        log(`registering ${cfg.routes} routes on ${p.label} ...`);
        registration[p.key] = await registerRoutes(p, backendUrl, cfg.routes);
      }
    }
    results[config] = { small: {}, big: {} };
    for (let round = 0; round < cfg.rounds; round++) {
      const order = targets.map((_, i) => targets[(i + round) % targets.length]);
      if (round % 2 === 1) order.reverse();
      for (const t of order) {
        for (const size of ['small', 'big']) {
          const urlPath = `/user/u${mid}/${size}`;
          const cpu0 = treeCpuUs(t.pid);
          const r = await runWrk(`${t.url}${urlPath}`, { seconds: cfg.seconds });
          const cpuUs = (treeCpuUs(t.pid) - cpu0) / r.requests;
          if ((r.non2xx > 0 || r.socketErrors > 0) && t.key !== 'chp') failures.push(`${t.label} ${config} ${size}: ${r.non2xx} non-2xx, ${r.socketErrors} socket errors`);
          (results[config][size][t.key] ??= []).push({ ...r, cpuUs });
          log(`${config} round ${round + 1} ${t.label} ${size}: ${r.rps.toFixed(0)} req/s, p99 ${ms(r.p99)}, ${cpuUs.toFixed(0)} µs CPU/req`);
        }
      }
    }
  }

  log('websockets ...');
  // Warm-up, not counted: the upgrade paths of every proxy are still cold (JIT) after the HTTP load.
  for (const t of targets.filter((x) => x.ws !== undefined)) await connectTimes(`${t.ws}/user/u${mid}/ws`, 200);
  const wsRes = {};
  for (let round = 0; round < cfg.rounds; round++) {
    const order = targets.map((_, i) => targets[(i + round) % targets.length]);
    for (const t of order.filter((x) => x.ws !== undefined)) {
      const connects = await connectTimes(`${t.ws}/user/u${mid}/ws`, cfg.wsConnects);
      const echoes = await echoTimes(`${t.ws}/user/u${mid}/ws`, cfg.wsEchoes);
      const acc = (wsRes[t.key] ??= { connects: [], echoes: [] });
      acc.connects.push(...connects);
      acc.echoes.push(...echoes);
    }
  }
  const rss = Object.fromEntries(proxies.map((p) => [p.key, treeRssMiB(p.pid)]));
  for (const p of [...proxies, pipe]) await procs.stop(p.entry);

  const { MemoryRouteStore } = require(path.join(path.dirname(cli), '../proxy/memory-route-store.js'));
  const lookups = 2_000_000;
  // Interleaved, 7 of each, medians: nanosecond timings drift with GC and CPU frequency.
  const samples = { one: [], many: [], spread: [] };
  for (let i = 0; i < 7; i++) {
    samples.one.push(lookupNs(MemoryRouteStore, 1, lookups, false));
    samples.many.push(lookupNs(MemoryRouteStore, cfg.lookupRoutes, lookups, false));
    samples.spread.push(lookupNs(MemoryRouteStore, cfg.lookupRoutes, lookups, true));
  }
  const [lookup1, lookupN, lookupSpread] = [median(samples.one), median(samples.many), median(samples.spread)];
  const propagation = await propagationTimes(procs, dir, cli, backendUrl, 50, log).catch((err) => {
    failures.push(`replica propagation: ${err.message}`);
    return null;
  });
  await procs.stop(backend);
  return report({ cfg, results, registration, wsRes, rss, lookup1, lookupN, lookupSpread, propagation, failures, configs, proxies, targets });
}

function report({ cfg, results, registration, wsRes, rss, lookup1, lookupN, lookupSpread, propagation, failures, configs, targets }) {
  const med = (config, size, key, f) => median((results[config][size][key] ?? []).map(f));
  const rps = (c, s, k) => med(c, s, k, (r) => r.rps);
  const p99 = (c, s, k) => med(c, s, k, (r) => r.p99);
  const cpu = (c, s, k) => med(c, s, k, (r) => r.cpuUs);
  const fmtRps = (v) => (Number.isFinite(v) ? `${(v / 1000).toFixed(1)}k` : 'n/a');
  const rows = [['', ...targets.map((t) => t.label), 'ours/CHP', `workers/CHP`, 'ours/pipe']];
  for (const config of configs) {
    for (const size of ['small', 'big']) {
      const label = `${size === 'small' ? '12 B' : '64 KiB'}, ${config}`;
      const row = (name, f, fmt) => [name, ...targets.map((t) => fmt(f(config, size, t.key))), ratio(f(config, size, 'ours'), f(config, size, 'chp')), ratio(f(config, size, 'oursW'), f(config, size, 'chp')), ratio(f(config, size, 'ours'), f(config, size, 'pipe'))];
      rows.push(row(`req/s ${label}`, rps, fmtRps));
      rows.push(row('  p99', p99, ms));
      rows.push(row('  CPU µs/request', cpu, (v) => v.toFixed(0)));
    }
  }
  const ws = (key, which, p) => percentile(wsRes[key]?.[which] ?? [], p);
  rows.push(['ws connect+first message p50', ...targets.map((t) => ms(ws(t.key, 'connects', 50))), ratio(ws('ours', 'connects', 50), ws('chp', 'connects', 50)), ratio(ws('oursW', 'connects', 50), ws('chp', 'connects', 50))]);
  rows.push(['  p99', ...targets.map((t) => ms(ws(t.key, 'connects', 99))), ratio(ws('ours', 'connects', 99), ws('chp', 'connects', 99)), ratio(ws('oursW', 'connects', 99), ws('chp', 'connects', 99))]);
  rows.push(['ws echo round trip p50', ...targets.map((t) => ms(ws(t.key, 'echoes', 50))), ratio(ws('ours', 'echoes', 50), ws('chp', 'echoes', 50)), ratio(ws('oursW', 'echoes', 50), ws('chp', 'echoes', 50))]);
  rows.push([`register ${cfg.routes} routes (16 in flight)`, '', '', ms(registration.ours), ms(registration.oursW), ms(registration.chp), ratio(registration.ours, registration.chp), ratio(registration.oursW, registration.chp)]);
  rows.push(['proxy RSS after the run', '', '', mib(rss.ours), mib(rss.oursW), mib(rss.chp), '', '']);

  const small1 = configs[0];
  const checks = [
    [`req/s ≥ 3× CHP (12 B, 1 route)`, rps(small1, 'small', 'ours') / rps(small1, 'small', 'chp') >= 3, ratio(rps(small1, 'small', 'ours'), rps(small1, 'small', 'chp'))],
    [`req/s ≥ 3.5× CHP with workers`, rps(small1, 'small', 'oursW') / rps(small1, 'small', 'chp') >= 3.5, ratio(rps(small1, 'small', 'oursW'), rps(small1, 'small', 'chp'))],
    ['CPU ≤ 80 µs per small request', cpu(small1, 'small', 'ours') <= 80, `${cpu(small1, 'small', 'ours').toFixed(0)} µs`],
    ['p99 ≤ 1/3 of CHP’s', p99(small1, 'small', 'ours') <= p99(small1, 'small', 'chp') / 3, ratio(p99(small1, 'small', 'ours'), p99(small1, 'small', 'chp'))],
    ['ws connect+first message ≤ 0.75× CHP’s', ws('ours', 'connects', 50) <= 0.75 * ws('chp', 'connects', 50), ratio(ws('ours', 'connects', 50), ws('chp', 'connects', 50))],
    [`lookups at ${cfg.lookupRoutes} routes no slower than at 1 (≤ 1.15×, same user)`, lookupN <= lookup1 * 1.15,
      `${lookup1.toFixed(0)} ns vs ${lookupN.toFixed(0)} ns (1024 users in turn: ${lookupSpread.toFixed(0)} ns, CPU cache misses)`],
    [`${cfg.routes} routes registered in < 1 s`, registration.ours < 1000, ms(registration.ours)],
  ];
  if (propagation) checks.push(['Redis replica sees a new route within 100 ms (p99)', percentile(propagation, 99) <= 100, `p50 ${ms(median(propagation))}, p99 ${ms(percentile(propagation, 99))}, max ${ms(Math.max(...propagation))}`]);
  const lines = [
    `wrk -t2 -c64 -d${cfg.seconds}s keep-alive, ${cfg.rounds} interleaved rounds, medians; path /user/u${Math.floor(cfg.routes / 2)}/…`,
    table(rows),
    '',
    ...checks.map(([what, met, value]) => `${met ? 'MET    ' : 'NOT MET'}  ${what}: ${value}`),
    ...(failures.length ? ['', 'errors:', ...failures.map((f) => `  ${f}`)] : []),
    '',
    '"undici pipe (floor)" is the issue\'s fastest prototype without any proxy logic (no routing, headers, activity,',
    'timeouts or error handling; HTTP only): ours/pipe is what our proxy logic costs on top of the technique.',
    'CPU µs/request counts the proxy process tree only (for "backend direct": the backend); wrk, the backend and',
    'the proxy share the machine\'s cores, so req/s ratios shrink when the machine is busy: compare CPU µs too.',
  ];
  return { text: lines.join('\n'), failed: failures.length > 0 };
}

module.exports = { run };
