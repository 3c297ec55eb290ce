// HTTP forwarding on the hot path: undici's Pool.dispatch with a small handler object that writes
// the target's answer straight into our ServerResponse (no intermediate streams, promises or
// per-request listeners; backpressure through undici's pause/resume). A client that goes away
// aborts its upstream request through one 'close' listener per client connection.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Dispatcher } from 'undici';
import type { ActivityTracker } from './activity';
import { responseHeaders } from './hop-by-hop';
import type { Upstream } from './upstreams';

/** Why a forward failed before the target answered: the caller turns it into a page. */
export type ForwardFailure = { status: 400 | 503; err: Error & { code?: string } };

export interface HttpForwarderDeps {
  activity: ActivityTracker;
  /** 0: wait for the target as long as it takes (CHP's default). */
  proxyTimeoutMs: number;
  /** Called when the request fails before any response byte was sent. */
  onFailure(req: IncomingMessage, res: ServerResponse, rawPath: string, failure: ForwardFailure): void;
}

const kActive = Symbol('sciencehub.activeForwards');
type TrackedSocket = Socket & { [kActive]?: Set<ForwardHandler> };

/** Errors undici raises for requests it refuses to send: the client's fault, so a 400. */
const REQUEST_ERRORS = new Set(['UND_ERR_INVALID_ARG', 'UND_ERR_NOT_SUPPORTED', 'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH']);

function abortAll(this: TrackedSocket): void {
  const active = this[kActive];
  if (active === undefined) return;
  for (const handler of active) handler.clientGone();
  active.clear();
}

class ForwardHandler implements Dispatcher.DispatchHandler {
  private abort: ((err?: Error) => void) | undefined;
  private status = 0;
  private resume: (() => void) | undefined;
  private done = false;
  private clientLeft = false;

  constructor(
    private readonly deps: HttpForwarderDeps,
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly prefix: string,
    private readonly rawPath: string,
    private readonly active: Set<ForwardHandler>,
  ) {}

  clientGone(): void {
    if (this.done) return;
    this.done = true;
    this.clientLeft = true;
    this.abort?.(new Error('client went away'));
  }

  onConnect(abort: (err?: Error) => void): void {
    this.abort = abort;
    if (this.done) abort(new Error('client went away'));
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void, statusText: string): boolean {
    if (statusCode < 200) return true; // 1xx: Node already told the client what it needs to know
    this.status = statusCode;
    this.resume = resume;
    const headers = responseHeaders(rawHeaders);
    if (statusText === '') this.res.writeHead(statusCode, headers);
    else this.res.writeHead(statusCode, statusText, headers);
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.res.write(chunk)) return true;
    if (this.res.destroyed) return false;
    this.res.once('drain', this.resume as () => void);
    return false;
  }

  onComplete(): void {
    this.finish();
    this.res.end();
    if (this.status < 300) this.deps.activity.record(this.prefix);
  }

  onError(err: Error & { code?: string }): void {
    this.finish();
    if (this.clientLeft || this.res.headersSent || this.res.destroyed) {
      this.res.destroy();
      return;
    }
    const status = err.code !== undefined && REQUEST_ERRORS.has(err.code) ? 400 : 503;
    this.deps.onFailure(this.req, this.res, this.rawPath, { status, err });
  }

  private finish(): void {
    this.done = true;
    this.active.delete(this);
  }
}

export type HttpForwarder = (
  req: IncomingMessage,
  res: ServerResponse,
  upstream: Upstream,
  path: string,
  headers: string[],
  hasBody: boolean,
  prefix: string,
  rawPath: string,
) => void;

/** Forward one request to `upstream` with the given path (target base path included) and headers. */
export function createHttpForwarder(deps: HttpForwarderDeps): HttpForwarder {
  const timeout = deps.proxyTimeoutMs;
  return (req, res, upstream, path, headers, hasBody, prefix, rawPath) => {
    const socket = req.socket as TrackedSocket;
    let active = socket[kActive];
    if (active === undefined) {
      active = new Set();
      socket[kActive] = active;
      socket.once('close', abortAll);
    }
    const handler = new ForwardHandler(deps, req, res, prefix, rawPath, active);
    active.add(handler);
    upstream.slot.pool.dispatch(
      {
        path,
        method: req.method as Dispatcher.HttpMethod,
        headers,
        body: hasBody ? req : null,
        headersTimeout: timeout,
        bodyTimeout: timeout,
      },
      handler,
    );
  };
}
