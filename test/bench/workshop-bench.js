// Workshop benchmark: one organiser's workshop link opened by many attendees within a window
// (default 200 within 60 s), each signing in, pressing Start and waiting for their server, against
// the local spawner with the fast stand-in server (test/helpers/fake-singleuser.js). Reports that
// all started without errors, page latency p50/p99 under that load, and the same pages' latency
// on the idle hub measured in the same run (before and after, interleaved), as ratios.
// Knobs: BENCH_WORKSHOP_ATTENDEES (200), BENCH_WORKSHOP_WINDOW_SECONDS (60).
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');
const http = require('node:http');
const { rssMiB, sleep } = require('./lib/processes');
const { launchSciencehub } = require('./hubs/sciencehub');
const { HttpSession, hiddenInput, apiRequest } = require('./lib/http-session');
const { percentile, ms, mib, ratio, table } = require('./lib/stats');

const FAKE_SINGLEUSER = path.resolve(__dirname, '../helpers/fake-singleuser.js');

const CATALOG = `defaultImage: notebook
images:
  - id: notebook
    displayName: Workshop notebook
    description: the stand-in server (benchmark)
    version: 1.0.0
    image: ghcr.io/sciencehub/bench:1.0.0
    source: { external: benchmark stand-in }
    sizes: [{ name: small, memory: 1G, cpuLimit: 1 }]
    defaultSize: small
    allowInLinks: true
`;

async function startHub(procs, { workDir, cli, attendees }) {
  fs.writeFileSync(path.join(workDir, 'catalog.yaml'), CATALOG);
  const { hub, proxy, hubPort, publicPort, apiToken } = await launchSciencehub(procs, {
    workDir, cli,
    config: () => ({
      hub: { concurrentSpawnLimit: attendees + 50, httpTimeoutSeconds: 60, startTimeoutSeconds: 120 },
      spawner: { kind: 'local', cmd: [process.execPath, FAKE_SINGLEUSER], stateDir: path.join(workDir, 'local-spawner') },
      images: { catalog: path.join(workDir, 'catalog.yaml') },
    }),
    scopes: ['admin:users', 'admin:servers', 'workshops', 'list:users', 'read:users'],
  });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  const api = (method, p, body) => apiRequest(agent, method, `http://127.0.0.1:${hubPort}/hub/api${p}`, apiToken, body);
  return { origin: `http://127.0.0.1:${publicPort}`, api, hub, proxy, close: () => agent.destroy() };
}

/** One attendee: open the link signed out, sign in, back to the link, Start, wait until their server answers. */
async function attend(origin, link, user, pages) {
  const s = new HttpSession(origin);
  const page = async (method, p, form, expect) => {
    const res = method === 'GET' ? await s.get(p) : await s.post(p, form);
    pages.push({ what: `${method} ${p.startsWith('/hub/login') ? 'login' : 'workshop'}`, ms: res.ttfbMs });
    if (!expect.includes(res.status)) throw new Error(`${user}: ${method} ${p} answered ${res.status}: ${res.body.slice(0, 160)}`);
    return res;
  };
  try {
    const t0 = performance.now();
    const first = await page('GET', link, undefined, [302]);
    const loginPath = new URL(first.headers.location, origin).pathname + new URL(first.headers.location, origin).search;
    const login = await page('GET', loginPath, undefined, [200]);
    await page('POST', '/hub/login', { _csrf: hiddenInput(login.body, '_csrf'), username: user, password: 'x', next: hiddenInput(login.body, 'next') }, [303]);
    const shown = await page('GET', link, undefined, [200]);
    if (!shown.body.includes('id="workshop-heading"')) throw new Error(`${user}: no workshop page`);
    const tStart = performance.now();
    const started = await page('POST', link, { _csrf: hiddenInput(shown.body, '_csrf') }, [303]);
    if (!String(started.headers.location).endsWith(`/hub/spawn-pending/${user}`)) throw new Error(`${user}: Start led to ${started.headers.location}`);
    await s.waitForReady(`/hub/api/users/${user}/server/progress`, { 'sec-fetch-site': 'same-origin', referer: `${origin}${link}` }, 120000);
    const server = await s.follow(await s.get(`/user/${user}/`));
    if (server.status !== 200) throw new Error(`${user}: /user/${user}/ answered ${server.status}`);
    const done = performance.now();
    return { totalMs: done - t0, startMs: done - tStart };
  } finally {
    s.close();
  }
}

/** The workshop page as a signed-in probe sees it, `n` times one after another (idle baseline). */
async function probe(origin, link, n) {
  const s = new HttpSession(origin);
  try {
    const login = await s.get('/hub/login');
    await s.post('/hub/login', { _csrf: hiddenInput(login.body, '_csrf'), username: `probe${crypto.randomBytes(3).toString('hex')}`, password: 'x', next: '/hub/home' });
    const out = [];
    for (let i = 0; i < n; i++) {
      const r = await s.get(link);
      if (r.status !== 200) throw new Error(`probe: ${link} answered ${r.status}`);
      out.push(r.ttfbMs);
    }
    return out;
  } finally {
    s.close();
  }
}

async function run(ctx) {
  const attendees = ctx.intEnv('BENCH_WORKSHOP_ATTENDEES', 200);
  const windowS = ctx.intEnv('BENCH_WORKSHOP_WINDOW_SECONDS', 60);
  const workDir = path.join(ctx.tmpRoot, 'workshop');
  fs.mkdirSync(workDir, { recursive: true });
  ctx.log(`workshop: starting sciencehub for ${attendees} attendees within ${windowS} s ...`);
  const hub = await startHub(ctx.procs, { workDir, cli: ctx.cli, attendees });
  const errors = [];
  try {
    const made = await hub.api('POST', '/workshops', { name: 'Benchmark workshop', image: 'notebook', max_attendees: attendees + 1, expires_in_hours: 2 });
    if (made.status !== 201) throw new Error(`POST /workshops answered ${made.status}: ${made.body}`);
    const link = new URL(JSON.parse(made.body).url).pathname;
    // The probe never joins (a GET joins nobody), but a full workshop refuses newcomers' pages: one spare place.
    const idleBefore = await probe(hub.origin, link, 30);

    const pages = [];
    const results = [];
    const probeDuring = [];
    let loadDone = false;
    const during = (async () => {
      const s = await probe(hub.origin, link, 1);
      probeDuring.push(...s);
      while (!loadDone) {
        probeDuring.push(...(await probe(hub.origin, link, 5)).slice(-5));
        await sleep(200);
      }
    })();
    const t0 = performance.now();
    // Arrivals spread evenly over the window, as a room of people clicking one link.
    await Promise.all(Array.from({ length: attendees }, async (_, i) => {
      await sleep((i * windowS * 1000) / attendees);
      const user = `att${String(i).padStart(4, '0')}`;
      try {
        results.push(await attend(hub.origin, link, user, pages));
      } catch (err) {
        errors.push(err.message);
      }
    }));
    const wallMs = performance.now() - t0;
    loadDone = true;
    await during;
    const hubRss = rssMiB(hub.hub.pid);
    const idleAfter = await probe(hub.origin, link, 30);
    const detail = JSON.parse((await hub.api('GET', `/workshops/${JSON.parse(made.body).id}`)).body);
    const running = detail.attendee_list.filter((a) => a.server_state === 'running').length;

    const idle = [...idleBefore, ...idleAfter];
    const pageMs = pages.map((p) => p.ms);
    const rows = [['', 'p50', 'p99', 'max', 'n']];
    const line = (name, xs) => rows.push([name, ms(percentile(xs, 50)), ms(percentile(xs, 99)), ms(Math.max(...xs)), String(xs.length)]);
    line('hub pages under load (all attendee requests)', pageMs);
    for (const what of ['GET workshop', 'POST workshop', 'GET login', 'POST login']) line(`  ${what}`, pages.filter((p) => p.what === what).map((p) => p.ms));
    line('workshop page, probe during the load', probeDuring);
    line('workshop page, probe on the idle hub', idle);
    line('Start pressed → own server answers', results.map((r) => r.startMs));
    line('link opened → own server answers', results.map((r) => r.totalMs));
    const text = [
      `${attendees} attendees, arrivals over ${windowS} s, local spawner + fast stand-in server; all done in ${ms(wallMs)}`,
      `started: ${results.length}/${attendees} (hub reports ${running} running), joined: ${detail.attendees}, errors: ${errors.length}; hub RSS ${mib(hubRss)}`,
      table(rows),
      `ratio under load / idle (workshop page): p50 ${ratio(percentile(probeDuring, 50), percentile(idle, 50))}, p99 ${ratio(percentile(probeDuring, 99), percentile(idle, 99))}`,
      ...errors.slice(0, 10).map((e) => `error: ${e}`),
    ].join('\n');
    const failed = errors.length > 0 || results.length !== attendees || running !== attendees;
    await hub.api('POST', `/workshops/${JSON.parse(made.body).id}/stop`);
    return { text, failed };
  } finally {
    hub.close();
  }
}

module.exports = { run };
