// The "container" of a simulated Running pod: a tiny HTTP server on the pod's own IP. Each pod
// gets a fresh loopback address (Linux routes all of 127.0.0.0/8 to lo), so it listens on its real
// container port (8888) and status.podIP is honest: the spawner needs no test-only switch.
import http from 'node:http';

export interface PodServer {
  ip: string;
  port: number;
  close(): Promise<void>;
}

/** A random address in 127.64.0.0/10, away from 127.0.0.1 where everything else listens. */
function randomLoopbackIp(): string {
  const r = (n: number) => Math.floor(Math.random() * n);
  return `127.${64 + r(64)}.${r(256)}.${1 + r(254)}`;
}

/**
 * Serves 200 JSON under `prefix` (like jupyterhub-singleuser behind its prefix, enough for the
 * hub's readiness check) and 404 elsewhere. The answer says which pod and env it runs with.
 */
export async function startPodServer(pod: string, port: number, prefix: string, env: Readonly<Record<string, string>>): Promise<PodServer> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    req.resume();
    if (!path.startsWith(prefix) && path !== prefix.replace(/\/$/, '')) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'not under prefix', prefix }));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'x-jupyterhub-version': '3.0.0' });
    res.end(JSON.stringify({ fake: 'kube-pod', pod, prefix, path, user: env.JUPYTERHUB_USER ?? null, env }));
  });
  server.keepAliveTimeout = 1000;
  for (let attempt = 0; ; attempt++) {
    const ip = randomLoopbackIp();
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, ip, () => {
          server.off('error', reject);
          resolve();
        });
      });
      return {
        ip,
        port,
        close: () =>
          new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections();
          }),
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= 50) throw err;
    }
  }
}
