// Starts sciencehub (hub + its own proxy, external mode) on free ports in a temp dir and drives
// its browser flow: sign in, POST the spawn form, follow progress, open the user's server.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');
const http = require('node:http');
const { freePort, waitForHttp, rssMiB } = require('../lib/processes');
const { HttpSession, hiddenInput, apiRequest, landOnServer } = require('../lib/http-session');

const DEFAULT_CLI = path.resolve(__dirname, '../../../dist/hub/cli.js');

/**
 * Start hub + proxy (external mode) on free ports in workDir. `config(ports)` gives the hub config
 * without the parts this fills in (hub ip/port, proxy section, a `bench` service token with `scopes`).
 */
async function launchSciencehub(procs, { workDir, cli = DEFAULT_CLI, config, scopes }) {
  if (!fs.existsSync(cli)) throw new Error(`${cli} is missing: run npm run build first`);
  const [hubPort, publicPort, apiPort] = [await freePort(), await freePort(), await freePort()];
  const proxyToken = crypto.randomBytes(24).toString('hex');
  const apiToken = crypto.randomBytes(24).toString('hex');
  const own = config({ hubPort, publicPort, apiPort });
  const full = {
    ...own,
    hub: { ip: '127.0.0.1', port: hubPort, logLevel: process.env.BENCH_HUB_LOG_LEVEL ?? 'warn', stopServersOnShutdown: true, ...own.hub },
    proxy: { mode: 'external', authToken: proxyToken, apiUrl: `http://127.0.0.1:${apiPort}` },
    services: [{ name: 'bench', token: apiToken, scopes }],
  };
  fs.writeFileSync(path.join(workDir, 'cfg.yaml'), JSON.stringify(full, null, 2));
  const proxy = procs.start('sciencehub-proxy', process.execPath, [
    cli, 'proxy', '--ip', '127.0.0.1', '--port', String(publicPort), '--api-ip', '127.0.0.1', '--api-port', String(apiPort),
    '--default-target', `http://127.0.0.1:${hubPort}`, '--error-target', `http://127.0.0.1:${hubPort}/hub/error`,
  ], { cwd: workDir, env: { ...process.env, CONFIGPROXY_AUTH_TOKEN: proxyToken }, logFile: path.join(workDir, 'proxy.log') });
  const hub = procs.start('sciencehub', process.execPath, [cli, 'hub', '--trial', '--config', 'cfg.yaml'],
    { cwd: workDir, env: process.env, logFile: path.join(workDir, 'hub.log') });
  const t0 = performance.now();
  await waitForHttp(`http://127.0.0.1:${hubPort}/hub/api/`, 30000, hub);
  await waitForHttp(`http://127.0.0.1:${publicPort}/hub/api/`, 30000, proxy);
  return { hub, proxy, hubPort, publicPort, apiToken, startupMs: performance.now() - t0 };
}

/** `cli`: the built dist/hub/cli.js to run (run.js passes a private snapshot of dist/). */
async function startSciencehub(procs, { workDir, singleuserCmd, cli = DEFAULT_CLI }) {
  const { hub, proxy, hubPort, publicPort, apiToken, startupMs } = await launchSciencehub(procs, {
    workDir, cli,
    // No --allow-root here on purpose: the local spawner adds it by itself when run as root.
    config: () => ({ spawner: { kind: 'local', cmd: [singleuserCmd], stateDir: path.join(workDir, 'local-spawner') } }),
    scopes: ['admin:users', 'list:users', 'read:users', 'servers', 'read:servers', 'delete:servers'],
  });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  const hubApi = `http://127.0.0.1:${hubPort}/hub/api`;

  return {
    label: 'sciencehub',
    publicUrl: `http://127.0.0.1:${publicPort}`,
    hubApi,
    apiToken,
    startupMs,
    entries: [hub, proxy],
    hubRssMiB: () => rssMiB(hub.pid),
    proxyRssMiB: () => rssMiB(proxy.pid),
    signIn: (user) => signIn(`http://127.0.0.1:${publicPort}`, user),
    api: (method, p, body, headers) => apiRequest(agent, method, `${hubApi}${p}`, apiToken, body, headers),
    close: () => agent.destroy(),
  };
}

/** Sign-in to the first byte of a 200 from the user's server; returns the elapsed ms. */
async function signIn(origin, user) {
  const s = new HttpSession(origin);
  try {
    const t0 = performance.now();
    const login = await s.get('/hub/login');
    const csrf = hiddenInput(login.body, '_csrf');
    if (login.status !== 200 || csrf === null) throw new Error(`GET /hub/login: ${login.status}, no _csrf field`);
    let res = await s.post('/hub/login', { username: user, password: 'bench-password', _csrf: csrf, next: '/hub/spawn' });
    if (res.status !== 303 && res.status !== 302) throw new Error(`POST /hub/login: ${res.status} ${res.body.slice(0, 200)}`);
    const form = await s.follow(res);
    const spawnCsrf = hiddenInput(form.body, '_csrf');
    if (form.status !== 200 || spawnCsrf === null) throw new Error(`spawn form ${form.url.pathname}: ${form.status}, no _csrf field`);
    res = await s.post(form.url.pathname, { _csrf: spawnCsrf });
    if (res.status !== 303 && res.status !== 302) throw new Error(`POST ${form.url.pathname}: ${res.status} ${res.body.slice(0, 200)}`);
    return await landOnServer(s, res, user, t0);
  } finally {
    s.close();
  }
}

module.exports = { launchSciencehub, startSciencehub };
