// Starts Debian's JupyterHub 3.0 (DummyAuthenticator, SimpleLocalProcessSpawner, its own
// configurable-http-proxy) on free ports in a temp dir, and drives the same browser flow.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');
const http = require('node:http');
const { freePort, waitForHttp, rssMiB, descendants, cmdline } = require('../lib/processes');
const { HttpSession, hiddenInput, apiRequest, landOnServer } = require('../lib/http-session');

function pyString(s) { return JSON.stringify(s); }

function jupyterhubConfig({ workDir, publicPort, hubPort, apiPort, proxyToken, apiToken, singleuserCmd }) {
  return `# Written by sciencehub's benchmark for one run; deleted with its temp dir.
c.JupyterHub.bind_url = ${pyString(`http://127.0.0.1:${publicPort}/`)}
c.JupyterHub.hub_ip = '127.0.0.1'
c.JupyterHub.hub_port = ${hubPort}
c.ConfigurableHTTPProxy.api_url = ${pyString(`http://127.0.0.1:${apiPort}`)}
c.ConfigurableHTTPProxy.auth_token = ${pyString(proxyToken)}
c.ConfigurableHTTPProxy.pid_file = ${pyString(path.join(workDir, 'jupyterhub-proxy.pid'))}
c.JupyterHub.authenticator_class = 'dummy'
# LocalProcessSpawner needs a system user per hub user; the simple one runs all as us.
c.JupyterHub.spawner_class = 'simple'
c.SimpleLocalProcessSpawner.home_dir_template = ${pyString(path.join(workDir, 'home', '{username}'))}
c.Spawner.cmd = [${pyString(singleuserCmd)}]
c.Spawner.args = ['--allow-root']
c.JupyterHub.cleanup_servers = True
c.JupyterHub.cleanup_proxy = True
c.JupyterHub.db_url = ${pyString(`sqlite:///${path.join(workDir, 'jupyterhub.sqlite')}`)}
c.JupyterHub.cookie_secret_file = ${pyString(path.join(workDir, 'jupyterhub_cookie_secret'))}
c.JupyterHub.log_level = 'WARN'
c.JupyterHub.services = [{'name': 'bench', 'api_token': ${pyString(apiToken)}}]
c.JupyterHub.load_roles = [{'name': 'bench', 'services': ['bench'],
  'scopes': ['admin:users', 'list:users', 'read:users', 'servers', 'read:servers', 'delete:servers']}]
`;
}

async function startJupyterhub(procs, { workDir, singleuserCmd }) {
  const [hubPort, publicPort, apiPort] = [await freePort(), await freePort(), await freePort()];
  const proxyToken = crypto.randomBytes(24).toString('hex');
  const apiToken = crypto.randomBytes(24).toString('hex');
  fs.writeFileSync(path.join(workDir, 'jupyterhub_config.py'),
    jupyterhubConfig({ workDir, publicPort, hubPort, apiPort, proxyToken, apiToken, singleuserCmd }));
  // Debian's configurable-http-proxy finds its modules only with NODE_PATH set.
  const env = { ...process.env, NODE_PATH: '/usr/share/nodejs' };
  const hub = procs.start('jupyterhub', 'jupyterhub', ['-f', 'jupyterhub_config.py'],
    { cwd: workDir, env, logFile: path.join(workDir, 'jupyterhub.log') });
  const t0 = performance.now();
  await waitForHttp(`http://127.0.0.1:${hubPort}/hub/api/`, 60000, hub);
  await waitForHttp(`http://127.0.0.1:${publicPort}/hub/api/`, 60000, hub);
  const startupMs = performance.now() - t0;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  const hubApi = `http://127.0.0.1:${hubPort}/hub/api`;
  const proxyPid = () => descendants([hub.pid]).find((pid) => cmdline(pid).includes('configurable-http-proxy')) ?? null;

  return {
    label: 'JupyterHub 3.0',
    publicUrl: `http://127.0.0.1:${publicPort}`,
    hubApi,
    apiToken,
    startupMs,
    entries: [hub],
    hubRssMiB: () => rssMiB(hub.pid),
    proxyRssMiB: () => { const pid = proxyPid(); return pid ? rssMiB(pid) : null; },
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
    const login = await s.get('/hub/login?next=%2Fhub%2Fspawn');
    const action = /<form[^>]*action="([^"]*)"/i.exec(login.body)?.[1]?.replace(/&amp;/g, '&');
    if (login.status !== 200 || !action) throw new Error(`GET /hub/login: ${login.status}, no form`);
    const form = { username: user, password: 'bench-password' };
    const xsrf = hiddenInput(login.body, '_xsrf');
    if (xsrf !== null) form._xsrf = xsrf;
    let res = await s.post(new URL(action, login.url).toString(), form);
    if (res.status !== 302 && res.status !== 303) throw new Error(`POST /hub/login: ${res.status} ${res.body.slice(0, 200)}`);
    // /hub/spawn without an options form starts the server, waits up to 1 s, then redirects.
    return await landOnServer(s, res, user, t0);
  } finally {
    s.close();
  }
}

module.exports = { startJupyterhub };
