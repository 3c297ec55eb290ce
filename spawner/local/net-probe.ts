// Small TCP helpers for the local spawner: pick a free port on an address, and check whether
// something accepts connections there. No HTTP: readiness over HTTP is the hub's job.
import net from 'node:net';

/** Ask the kernel for a free port on `ip`. Another process may take it before ours binds. */
export function pickFreePort(ip: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, ip, () => {
      const addr = srv.address();
      srv.close(() => {
        if (addr === null || typeof addr === 'string') reject(new Error(`no port on ${ip}`));
        else resolve(addr.port);
      });
    });
  });
}

/** True when a TCP connection to host:port succeeds within timeoutMs. */
export function acceptsConnections(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ host, port });
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

/** Where to connect to reach a server bound to `ip` (a wildcard bind is reached on loopback). */
export function connectHost(ip: string): string {
  if (ip === '0.0.0.0' || ip === '') return '127.0.0.1';
  if (ip === '::') return '::1';
  return ip;
}

export function originOf(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}
