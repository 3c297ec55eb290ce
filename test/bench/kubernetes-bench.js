// Benchmark of the kubernetes spawner against the test API server (test/helpers/kube-api-server,
// compiled on the fly with @swc/core, in this process). The "hub" is a child process that runs the
// built spawner (dist/ snapshot), so its memory is the spawner's alone.
// (1) BENCH_K8S_USERS (1000) users start at once: API requests per spawn, peak hub RSS, time until
//     all are running, failures (any fails the run), the most requests in flight at the server.
//     BENCH_K8S_API_LATENCY_MS (10) is added to every API answer, as a real control plane takes time.
// (2) BENCH_K8S_PODS (10000) running pods in the cache: hub RSS, time to sync, and poll() cost side
//     by side with what a poll per user would cost without the cache (a GET of the pod), in
//     BENCH_K8S_ROUNDS (5) interleaved rounds.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { sleep } = require('./lib/processes');
const { median, mib, ratio, table } = require('./lib/stats');

const ROOT = path.resolve(__dirname, '../..');
const NAMESPACE = 'bench';

/** Lets this process require the TypeScript test server (and nothing else) through @swc/core. */
function registerTypeScript() {
  if (require.extensions['.ts']) return;
  const swc = require('@swc/core');
  require.extensions['.ts'] = (module, filename) => {
    const { code } = swc.transformSync(fs.readFileSync(filename, 'utf8'), {
      filename, jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' },
    });
    module._compile(code, filename);
  };
}

// The hub stand-in: runs one phase with the built spawner, writes its figures to a file, then
// waits to be stopped (the process set counts a process that exits by itself as a failure).
const HUB_SCRIPT = String.raw`
'use strict';
const fs = require('node:fs');
const [distDir, phase, kubeconfig, resultFile, argJson] = process.argv.slice(2);
const args = JSON.parse(argJson);
const { createKubernetesSpawner } = require(distDir + '/spawner/kubernetes/kubernetes-spawner.js');
const { KubernetesSpawnerConfigSchema } = require(distDir + '/spawner/kubernetes/config.js');
const pino = require('pino');
const clock = { now: () => Date.now(), sleep: (ms, signal) => new Promise((resolve, reject) => {
  if (signal && signal.aborted) return reject(signal.reason);
  const t = setTimeout(() => { if (signal) signal.removeEventListener('abort', onAbort); resolve(); }, ms);
  const onAbort = () => { clearTimeout(t); reject(signal.reason); };
  if (signal) signal.addEventListener('abort', onAbort, { once: true });
}) };
const rssMiB = () => process.memoryUsage().rss / 2 ** 20;
const heapMiB = () => { global.gc(); return process.memoryUsage().heapUsed / 2 ** 20; };
let peak = rssMiB();
const sampler = setInterval(() => { peak = Math.max(peak, rssMiB()); }, 20);
const config = KubernetesSpawnerConfigSchema.parse({ namespace: '${NAMESPACE}', credentials: { source: 'kubeconfig', kubeconfigPath: kubeconfig }, ...args.config });
const request = (user) => ({ user, serverName: '', state: null, image: 'quay.io/jupyter/base-notebook:2025-01-13', prefix: '/user/' + user + '/',
  resources: { memLimit: 2 ** 31, memGuarantee: 2 ** 30, cpuLimit: 2, cpuGuarantee: 0.5 }, env: { JUPYTERHUB_API_TOKEN: 'token-' + user, JUPYTERHUB_USER: user } });

async function spawnMany(spawner) {
  const t0 = Date.now();
  let maxAhead = 0;
  const outcomes = await Promise.all(args.users.map(async (user) => {
    const started = Date.now();
    try {
      const gen = spawner.start(request(user), new AbortController().signal);
      for (;;) {
        const step = await gen.next();
        if (step.done) return { ok: true, ms: Date.now() - started };
        const m = /(\d+) servers? ahead/.exec(step.value.message);
        if (m) maxAhead = Math.max(maxAhead, Number(m[1]));
      }
    } catch (err) {
      return { ok: false, ms: Date.now() - started, reason: err.reason || String(err), message: err.userMessage || err.message };
    }
  }));
  return { allMs: Date.now() - t0, outcomes, maxAhead };
}

async function pollCost(spawner, refs) {
  const rounds = [];
  for (let r = 0; r < args.rounds; r++) {
    // Interleaved: cache polls, then the same number of pods read from the API, each round.
    let t = process.hrtime.bigint();
    for (let i = 0; i < args.polls; i++) {
      const p = await spawner.poll(refs[(i * 7919) % refs.length]);
      if (p.status !== 'running') throw new Error('a running pod polled as ' + JSON.stringify(p));
    }
    const cacheUs = Number(process.hrtime.bigint() - t) / 1000 / args.polls;
    t = process.hrtime.bigint();
    for (let i = 0; i < args.apiReads; i++) await spawner.parts.api.readPod(refs[(i * 7919) % refs.length].state.podName);
    const apiUs = Number(process.hrtime.bigint() - t) / 1000 / args.apiReads;
    rounds.push({ cacheUs, apiUs });
  }
  return rounds;
}

(async () => {
  const rssStart = rssMiB();
  const heapStart = heapMiB();
  const spawner = createKubernetesSpawner(config, { logger: pino({ level: 'warn' }), clock });
  const t0 = Date.now();
  await spawner.parts.watch.synced();
  const syncMs = Date.now() - t0;
  const heapSynced = heapMiB();
  const rssSynced = rssMiB();
  const out = { phase, rssStart, heapStart, syncMs, rssSynced, heapSynced, cachedPods: spawner.parts.watch.pods.size };
  if (phase === 'spawn') {
    Object.assign(out, await spawnMany(spawner));
    out.gate = spawner.parts.gate.stats;
  } else {
    const listed = await spawner.list();
    const t = Date.now();
    for (let i = 0; i < 5; i++) await spawner.list();
    out.listMs = (Date.now() - t) / 5;
    out.listed = listed.length;
    out.rounds = await pollCost(spawner, listed.map((a) => ({ user: a.user, serverName: a.serverName, state: a.state })));
  }
  out.rssEnd = rssMiB();
  out.peakRss = Math.max(peak, out.rssSynced, out.rssEnd);
  clearInterval(sampler);
  fs.writeFileSync(resultFile, JSON.stringify(out));
  setInterval(() => undefined, 60_000);
})().catch((err) => { fs.writeFileSync(resultFile, JSON.stringify({ error: String(err && err.stack || err) })); setInterval(() => undefined, 60_000); });
`;

async function runHub(ctx, api, phase, args) {
  const dist = path.resolve(path.dirname(ctx.cli), '..');
  // Next to the dist/ snapshot, so that it finds node_modules as the built hub does.
  const script = path.join(path.dirname(dist), 'k8s-hub.js');
  fs.writeFileSync(script, HUB_SCRIPT);
  const resultFile = path.join(ctx.tmpRoot, `k8s-${phase}.json`);
  fs.rmSync(resultFile, { force: true });
  const entry = ctx.procs.start(`k8s hub (${phase})`, process.execPath, ['--expose-gc', script, dist, phase, api.kubeconfig(NAMESPACE), resultFile, JSON.stringify(args)], {
    cwd: path.dirname(dist), logFile: path.join(ctx.tmpRoot, `k8s-hub-${phase}.log`),
  });
  const deadline = Date.now() + 30 * 60_000;
  while (!fs.existsSync(resultFile)) {
    if (entry.exited) throw new Error(`the hub stand-in exited (${entry.code}); see ${entry.logFile}`);
    if (Date.now() > deadline) throw new Error(`phase ${phase} did not finish; see ${entry.logFile}`);
    await sleep(100);
  }
  await sleep(50);
  const result = JSON.parse(fs.readFileSync(resultFile, 'utf8'));
  await ctx.procs.stop(entry);
  if (result.error) throw new Error(`phase ${phase} failed in the hub stand-in: ${result.error}`);
  return result;
}

/** A running server pod as the spawner would have created it, written straight into the store. */
function seedRunningPods(api, count, names) {
  for (let i = 0; i < count; i++) {
    const user = `cached${i}`;
    const name = names.serverObjectName('jupyter', user, '');
    const labels = {
      'app.kubernetes.io/name': 'sciencehub', 'app.kubernetes.io/managed-by': 'sciencehub', 'app.kubernetes.io/component': 'singleuser-server',
      'app.kubernetes.io/instance': 'sciencehub', 'sciencehub.io/user': names.labelValue(user), 'sciencehub.io/server': '',
    };
    api.store.create('pods', NAMESPACE, {
      apiVersion: 'v1', kind: 'Pod',
      metadata: { name, labels, annotations: { 'sciencehub.io/user-name': user, 'sciencehub.io/server-name': '', 'sciencehub.io/start-id': `seed-${i}` } },
      spec: { nodeName: 'seeded-node', containers: [{ name: 'notebook', image: 'quay.io/jupyter/base-notebook:2025-01-13', ports: [{ name: 'http', containerPort: 8888 }] }] },
      status: {
        phase: 'Running', podIP: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
        containerStatuses: [{ name: 'notebook', image: 'quay.io/jupyter/base-notebook:2025-01-13', imageID: '', ready: true, restartCount: 0, state: { running: { startedAt: '2025-01-01T00:00:00Z' } } }],
      },
    });
  }
}

async function run(ctx) {
  registerTypeScript();
  const { startKubeApiServer } = require(path.join(ROOT, 'test/helpers/kube-api-server/index.ts'));
  const names = require(path.join(path.dirname(ctx.cli), '../spawner/kubernetes/names.js'));
  const users = ctx.intEnv('BENCH_K8S_USERS', 1000);
  const pods = ctx.intEnv('BENCH_K8S_PODS', 10000);
  const rounds = ctx.intEnv('BENCH_K8S_ROUNDS', 5);
  // A real API server takes a few milliseconds per write; without it concurrency limits are invisible.
  const latencyMs = ctx.intEnv('BENCH_K8S_API_LATENCY_MS', 10);
  const lines = [];
  let failed = false;

  ctx.log(`kubernetes: ${users} users spawning at once`);
  const api = await startKubeApiServer({ stepMs: 5, bookmarkIntervalMs: 5000 });
  let spawn;
  try {
    api.http.latencyMs = latencyMs;
    const before = api.http.stats.total;
    spawn = await runHub(ctx, api, 'spawn', { users: Array.from({ length: users }, (_, i) => `bench${i}`), config: {} });
    const requests = api.http.stats.total - before;
    const failures = spawn.outcomes.filter((o) => !o.ok);
    if (failures.length) failed = true;
    const per = (route) => ((api.requestCounts()[route] ?? 0) / users).toFixed(2);
    const times = spawn.outcomes.map((o) => o.ms);
    lines.push(`(1) ${users} users start at once (defaults: 10 API requests in flight, 20 starts creating at once; API answers take ${latencyMs} ms more)`);
    lines.push(table([
      ['figure', 'value'],
      ['spawns failed', `${failures.length}${failures.length ? ` (first: ${failures[0].reason}: ${failures[0].message})` : ''}`],
      ['time until all running', `${(spawn.allMs / 1000).toFixed(2)} s`],
      ['start time, median / max', `${(median(times) / 1000).toFixed(2)} s / ${(Math.max(...times) / 1000).toFixed(2)} s`],
      ['API requests per spawn (all kinds)', (requests / users).toFixed(2)],
      ['  create pvc / secret / pod, patch secret', `${per('create persistentvolumeclaims')} / ${per('create secrets')} / ${per('create pods')} / ${per('patch secrets')}`],
      ['  lists (whole run, pods + events)', String((api.requestCounts()['list pods'] ?? 0) + (api.requestCounts()['list events'] ?? 0))],
      ['watches opened (whole run)', String(api.http.stats.watches)],
      ['most API requests in flight at the server', String(api.http.stats.maxInFlight)],
      ['most starts ahead of one in line', String(spawn.maxAhead)],
      ['hub RSS: start / synced / peak / end', `${mib(spawn.rssStart)} / ${mib(spawn.rssSynced)} / ${mib(spawn.peakRss)} / ${mib(spawn.rssEnd)}`],
      ['HTTP listeners of running pods', String(api.kubelet.serving)],
    ]));
  } finally {
    await api.close();
  }

  ctx.log(`kubernetes: ${pods} running pods in the cache`);
  const big = await startKubeApiServer({ serve: false, bookmarkIntervalMs: 5000, historyLimit: pods + 1000 });
  try {
    seedRunningPods(big, pods, names);
    const polls = Math.min(20_000, pods * 2);
    const apiReads = Math.max(50, Math.round(polls / 100));
    const cached = await runHub(ctx, big, 'cache', { config: {}, rounds, polls, apiReads });
    if (cached.listed !== pods || cached.cachedPods !== pods) failed = true;
    const cacheUs = median(cached.rounds.map((r) => r.cacheUs));
    const apiUs = median(cached.rounds.map((r) => r.apiUs));
    lines.push('');
    lines.push(`(2) ${pods} running pods in the cache; ${rounds} interleaved rounds of ${polls} polls and ${apiReads} API reads`);
    lines.push(table([
      ['figure', 'value'],
      ['pods in the cache / listed', `${cached.cachedPods} / ${cached.listed}`],
      ['first sync (one list of pods and events)', `${(cached.syncMs / 1000).toFixed(2)} s`],
      ['hub RSS: start / synced / peak', `${mib(cached.rssStart)} / ${mib(cached.rssSynced)} / ${mib(cached.peakRss)}`],
      ['hub heap used after GC: empty / synced', `${mib(cached.heapStart)} / ${mib(cached.heapSynced)}`],
      ['heap per cached pod', `${(((cached.heapSynced - cached.heapStart) * 2 ** 20) / pods / 1024).toFixed(2)} KiB`],
      ['poll(), median of rounds', `${cacheUs.toFixed(2)} µs/call (no API request)`],
      ['GET of the pod from the API (poll without a cache)', `${apiUs.toFixed(0)} µs/call`],
      ['poll() vs GET, ratio', ratio(apiUs, cacheUs)],
      ['list() of all servers', `${cached.listMs.toFixed(1)} ms`],
    ]));
  } finally {
    await big.close();
  }
  return { text: lines.join('\n'), failed };
}

module.exports = { run };
