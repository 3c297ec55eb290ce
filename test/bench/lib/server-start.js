// Time from launching jupyterhub-singleuser directly to its first HTTP answer, with a tiny
// in-process stand-in for the hub API (version header, activity), so no hub overhead counts.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const http = require('node:http');
const crypto = require('node:crypto');
const { freePort, waitForHttp } = require('./processes');

/** A fake hub API answering every request 200 with the version header singleuser checks. */
function startFakeHubApi() {
  const server = http.createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json', 'x-jupyterhub-version': '3.0.0' });
    res.end('{"version":"3.0.0"}');
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** Launch one server and wait for an HTTP status below 500 on its prefix (a hub's readiness probe). */
async function launchDirect(procs, { workDir, singleuserCmd, fakeHub, user }) {
  const port = await freePort();
  const hubPort = fakeHub.address().port;
  const home = path.join(workDir, 'direct-home', user);
  fs.mkdirSync(home, { recursive: true });
  const env = {
    ...process.env,
    HOME: home,
    JUPYTERHUB_API_TOKEN: crypto.randomBytes(16).toString('hex'),
    JUPYTERHUB_CLIENT_ID: `jupyterhub-user-${user}`,
    JUPYTERHUB_API_URL: `http://127.0.0.1:${hubPort}/hub/api`,
    JUPYTERHUB_ACTIVITY_URL: `http://127.0.0.1:${hubPort}/hub/api/users/${user}/activity`,
    JUPYTERHUB_SERVICE_PREFIX: `/user/${user}/`,
    JUPYTERHUB_SERVICE_URL: `http://127.0.0.1:${port}/user/${user}/`,
    JUPYTERHUB_OAUTH_CALLBACK_URL: `/user/${user}/oauth_callback`,
    JUPYTERHUB_OAUTH_ACCESS_SCOPES: JSON.stringify([`access:servers!user=${user}`]),
    JUPYTERHUB_OAUTH_SCOPES: JSON.stringify([`access:servers!user=${user}`]),
    JUPYTERHUB_USER: user,
    JUPYTERHUB_SERVER_NAME: '',
    JUPYTERHUB_BASE_URL: '/',
  };
  const t0 = performance.now();
  const entry = procs.start(`singleuser-${user}`, singleuserCmd, ['--allow-root'], { cwd: home, env, logFile: path.join(workDir, `${user}.log`) });
  try {
    await waitForHttp(`http://127.0.0.1:${port}/user/${user}/`, 60000, entry);
  } catch (err) {
    await procs.stop(entry);
    throw err;
  }
  return { entry, ms: performance.now() - t0 };
}

/** One server: launch to first answer, in ms; the server is stopped again. */
async function measureServerStart(procs, { workDir, singleuserCmd, fakeHub, index }) {
  const { entry, ms } = await launchDirect(procs, { workDir, singleuserCmd, fakeHub, user: `direct${index}` });
  await procs.stop(entry);
  return ms;
}

/** n servers launched at once (all kept running until the last answers, as behind a hub). */
async function measureManyServerStarts(procs, { workDir, singleuserCmd, fakeHub, n, tag }) {
  const t0 = performance.now();
  const results = await Promise.allSettled(Array.from({ length: n }, (_, k) =>
    launchDirect(procs, { workDir, singleuserCmd, fakeHub, user: `direct${tag}x${k}` })));
  const totalMs = performance.now() - t0;
  const ok = results.filter((r) => r.status === 'fulfilled').map((r) => r.value);
  await Promise.all(ok.map((r) => procs.stop(r.entry)));
  const failed = results.filter((r) => r.status === 'rejected').map((r) => r.reason.message);
  return { totalMs, perServer: ok.map((r) => r.ms), failed };
}

module.exports = { startFakeHubApi, measureServerStart, measureManyServerStarts };
