// runProxyCli in-process: start-up line with real ports, clean close on SIGTERM, flag errors.
import http from 'node:http';
import { Writable } from 'node:stream';
import { runProxyCli } from '../../proxy/main';
import { startEchoBackend, type EchoBackend } from '../helpers/echo-backend';

function get(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      })
      .on('error', reject);
  });
}

function collector(): { stream: Writable; lines: string[]; next: (msg: string) => Promise<Record<string, unknown>> } {
  const lines: string[] = [];
  const waiters: Array<() => void> = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      for (const w of waiters.splice(0)) w();
      done();
    },
  });
  const next = async (msg: string): Promise<Record<string, unknown>> => {
    for (;;) {
      const found = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === msg);
      if (found !== undefined) return found;
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };
  return { stream, lines, next };
}

describe('runProxyCli', () => {
  let hub: EchoBackend;
  const savedExitCode = process.exitCode;

  beforeAll(async () => {
    hub = await startEchoBackend();
  });
  afterAll(async () => {
    await hub.close();
  });
  afterEach(() => {
    process.exitCode = savedExitCode;
  });

  it('logs `proxy listening` with both addresses and closes on SIGTERM', async () => {
    const log = collector();
    const done = runProxyCli(
      ['--ip', '127.0.0.1', '--port', '0', '--api-ip', '127.0.0.1', '--api-port', '0', '--default-target', hub.url],
      { env: { CONFIGPROXY_AUTH_TOKEN: 'cli-token' }, logDestination: log.stream },
    );
    const line = await log.next('proxy listening');
    const publicPort = Number(/:(\d+)$/.exec(String(line.public))?.[1]);
    const apiPort = Number(/:(\d+)$/.exec(String(line.api))?.[1]);
    expect(publicPort).toBeGreaterThan(0);
    expect(apiPort).toBeGreaterThan(0);
    expect(log.lines.join('\n')).not.toContain('cli-token');

    expect(await get(publicPort, '/_chp_healthz')).toBe(200);
    expect(await get(publicPort, '/hub/home')).toBe(200);
    expect(await get(apiPort, '/api/routes')).toBe(403);

    process.emit('SIGTERM', 'SIGTERM');
    await done;
    await expect(get(publicPort, '/_chp_healthz')).rejects.toThrow(/ECONNREFUSED/);
    expect(process.exitCode).toBe(savedExitCode);
  });

  it('reports a bad flag by name and sets exit code 2 without starting', async () => {
    const written: string[] = [];
    await runProxyCli(['--port', 'abc'], { env: { CONFIGPROXY_AUTH_TOKEN: 't' }, stderr: { write: (t: string) => written.push(t) } });
    expect(written.join('')).toContain("'--port <n>' argument 'abc' is invalid");
    expect(process.exitCode).toBe(2);
  });

  it('refuses to start without CONFIGPROXY_AUTH_TOKEN', async () => {
    const written: string[] = [];
    await runProxyCli(['--port', '0'], { env: {}, stderr: { write: (t: string) => written.push(t) } });
    expect(written.join('')).toContain('CONFIGPROXY_AUTH_TOKEN');
    expect(process.exitCode).toBe(2);
  });
});

describe('runProxyCli --pid-file', () => {
  it('writes the pid once listening and removes it on SIGTERM', async () => {
    const { mkdtempSync, existsSync, readFileSync, rmSync } = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'proxy-pid-'));
    const pidFile = path.join(dir, 'proxy.pid');
    const log = collector();
    const done = runProxyCli(['--ip', '127.0.0.1', '--port', '0', '--api-port', '0', '--pid-file', pidFile], {
      env: { CONFIGPROXY_AUTH_TOKEN: 'cli-token' }, logDestination: log.stream,
    });
    await log.next('proxy listening');
    expect(readFileSync(pidFile, 'utf8')).toBe(String(process.pid));
    process.emit('SIGTERM', 'SIGTERM');
    await done;
    expect(existsSync(pidFile)).toBe(false);
    rmSync(dir, { recursive: true, force: true });
  });
});
