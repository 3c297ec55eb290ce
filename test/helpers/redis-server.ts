// Starts a throwaway Debian redis-server on a free loopback port (no persistence, own temp dir)
// and stops it. Every test that calls startRedis() must call stop() in afterAll.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, stopChild } from './ports';

export interface RedisServer {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** `port`: start on this port (e.g. again where a stopped server was) instead of a free one. */
export async function startRedis(options: { port?: number } = {}): Promise<RedisServer> {
  const dir = await mkdtemp(join(tmpdir(), 'sciencehub-redis-'));
  let lastError: Error | undefined;
  // A freePort() can be taken by someone else before redis binds it: retry with a new one.
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = options.port ?? (await freePort());
    const child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
    child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      await waitForPong(port, child, 10_000);
      return {
        url: `redis://127.0.0.1:${port}`,
        port,
        stop: async () => {
          await stopChild(child, exited);
          await rm(dir, { recursive: true, force: true });
        },
      };
    } catch (err) {
      lastError = new Error(`redis-server on port ${port} did not start: ${(err as Error).message}\n${output}`);
      await stopChild(child, exited);
    }
  }
  await rm(dir, { recursive: true, force: true });
  throw lastError ?? new Error('redis-server did not start');
}


/** Send PING over raw TCP until the server answers +PONG (it may still be loading). */
async function waitForPong(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode}`);
    if (await ping(port)) return;
    if (Date.now() > deadline) throw new Error(`no PONG after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let reply = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}
