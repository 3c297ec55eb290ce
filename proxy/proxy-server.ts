// The public listener: longest-prefix routing of HTTP and websocket requests to route targets,
// the health endpoint, error pages, edge authentication and the client-error answers. The
// per-request path stays thin: one synchronous route lookup on the local table, one pass over the
// raw headers, then undici (forward-http.ts) or a socket pipe (forward-ws.ts). No URL objects,
// promises, per-request listeners or logging above debug for ordinary traffic.

import http, { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { ActivityTracker } from './activity';
import { edgeDecision, forwardedCookie, routeOwner, type EdgeAuthSettings, type EdgeVerdict } from './edge-auth';
import { createErrorResponder, writeSocketError } from './error-pages';
import { createHttpForwarder, type ForwardFailure } from './forward-http';
import { forwardUpgrade } from './forward-ws';
import { upstreamHeaders, type ForwardedHeaderOptions } from './forwarded-headers';
import { logPath } from './logging';
import type { ProxyOptions } from './options';
import type { RouteMatch } from './route-store';
import { hostSegment, routingPath, stripSegments } from './target';
import type { LoadedTls } from './tls-files';
import { Upstreams, type Upstream } from './upstreams';

export const HEALTH_PATH = '/_chp_healthz';
/** Errors that mean "the target is not there or went away": logged without a stack. */
const KNOWN_NETWORK_ERRORS = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ETIMEDOUT', 'ENOTFOUND', 'EPIPE',
  'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_SOCKET', 'UND_ERR_ABORTED',
]);

/** What the public listener needs from a route table: a synchronous longest-prefix lookup. */
export interface RouteLookup {
  lookup(urlPath: string): RouteMatch | undefined;
}

export interface PublicServerDeps {
  /** Everything but the API token (workers are not given it). */
  options: Omit<ProxyOptions, 'authToken'>;
  routes: RouteLookup;
  activity: ActivityTracker;
  logger: Logger;
  tls: LoadedTls;
  /** Fields of the health answer (`{status: 'ok', ...}`). */
  health: () => Record<string, unknown>;
  now: () => number;
}

export interface PublicServer {
  server: http.Server;
  /** Stop accepting, drop open connections (websockets included) and upstream pools. */
  shutdown(): Promise<void>;
}

type Routed =
  | { ok: true; match: RouteMatch; upstream: Upstream; rawPath: string; query: string; hostRouted: boolean }
  | { ok: false; status: number; rawPath: string; message?: string };

function sendPlain(res: ServerResponse, status: number, text: string, extra: Record<string, string> = {}): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text), ...extra });
  res.end(text);
}

export function createPublicServer(deps: PublicServerDeps): PublicServer {
  const { options, routes, activity, logger } = deps;
  const upstreams = new Upstreams(deps.tls.upstream, options.proxyTimeout !== undefined && options.proxyTimeout > 0 ? options.proxyTimeout : 10_000);
  const errors = createErrorResponder({ errorTarget: options.errorTarget, errorPath: options.errorPath, logger });
  const encrypted = deps.tls.public !== undefined;
  const headerOptions: ForwardedHeaderOptions = {
    xForward: options.xForward,
    customHeaders: options.customHeaders.flat(),
    customNames: new Set(options.customHeaders.map(([name]) => name)),
  };
  const edge: EdgeAuthSettings | undefined =
    options.edgeAuthSecret === undefined ? undefined : { secret: options.edgeAuthSecret, userPrefix: options.edgeAuthUserPrefix, hubUrl: options.edgeAuthUrl };
  const upgraded = new Set<Duplex>();
  const proxyTimeoutMs = options.proxyTimeout ?? 0;
  /** Set by shutdown: requests cut off by it are closed quietly, not logged as target errors. */
  let closing = false;

  const logFailure = (status: number, req: IncomingMessage, rawPath: string, err: Error & { code?: string }): void => {
    const fields = { status, method: req.method, path: rawPath, code: err.code };
    if (err.code !== undefined && KNOWN_NETWORK_ERRORS.has(err.code)) logger.warn({ ...fields, err: err.message }, 'proxy target error');
    else logger.warn({ ...fields, err }, 'proxy target error');
  };

  const forwardHttp = createHttpForwarder({
    activity,
    proxyTimeoutMs,
    onFailure(req, res, rawPath, failure: ForwardFailure) {
      if (closing) {
        res.destroy();
        return;
      }
      if (failure.status === 400) {
        logger.debug({ method: req.method, path: rawPath, err: failure.err.message }, 'request refused by the upstream client');
        sendPlain(res, 400, `Bad Request: ${failure.err.message}\n`);
        return;
      }
      logFailure(503, req, rawPath, failure.err);
      errors.respond(503, req, res, rawPath);
    },
  });
  const wsDeps = {
    activity,
    upstreams,
    proxyTimeoutMs,
    onFailure(req: IncomingMessage, socket: Duplex, rawPath: string, err: Error & { code?: string }) {
      logFailure(503, req, rawPath, err);
      writeSocketError(socket, 503);
    },
    track(socket: Duplex) {
      upgraded.add(socket);
      socket.once('close', () => upgraded.delete(socket));
    },
  };

  const route = (req: IncomingMessage): Routed => {
    const url = req.url ?? '/';
    let host: string | undefined;
    if (options.hostRouting) {
      host = hostSegment(req.headers.host);
      if (host === undefined) return { ok: false, status: 400, rawPath: logPath(url), message: 'missing or invalid Host header' };
    }
    const parsed = routingPath(url, host);
    if (!parsed.ok) return { ok: false, status: 400, rawPath: logPath(url), message: parsed.message };
    const match = routes.lookup(parsed.path);
    if (match === undefined) return { ok: false, status: 404, rawPath: parsed.rawPath };
    const upstream = upstreams.get(match.data.target);
    if (upstream === undefined) return { ok: false, status: 503, rawPath: parsed.rawPath };
    return { ok: true, match, upstream, rawPath: parsed.rawPath, query: parsed.query, hostRouted: host !== undefined };
  };

  // The path sent to the target: the target URL's own path, then the request path (matched prefix
  // dropped with --no-include-prefix; the prefix counts the host segment under host routing).
  const targetPath = (req: IncomingMessage, routed: Extract<Routed, { ok: true }>): string => {
    const rest = options.includePrefix
      ? (req.url as string)
      : stripSegments(routed.rawPath, routed.match.depth - (routed.hostRouted ? 1 : 0)) + routed.query;
    return options.prependPath && routed.upstream.basePath !== '' ? routed.upstream.basePath + rest : rest;
  };

  /** Edge auth: undefined when it does not apply (off, or not a user's server), else the verdict. */
  const edgeCheck = (req: IncomingMessage, routed: Extract<Routed, { ok: true }>, upgrade: boolean): EdgeVerdict | undefined => {
    if (edge === undefined) return undefined;
    let prefix = routed.match.prefix;
    if (routed.hostRouted) {
      const slash = prefix.indexOf('/', 1);
      prefix = slash < 0 ? '/' : prefix.slice(slash);
    }
    const owner = routeOwner(prefix, edge.userPrefix);
    if (owner === undefined) return undefined;
    return edgeDecision(edge, owner, req.headers.cookie, req.method, upgrade, routed.rawPath + routed.query, deps.now());
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const url = req.url;
    if (url !== undefined && url.startsWith(HEALTH_PATH) && (url.length === HEALTH_PATH.length || url.charCodeAt(HEALTH_PATH.length) === 63)) {
      const body = JSON.stringify({ status: 'ok', ...deps.health() });
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    const routed = route(req);
    if (!routed.ok) {
      if (routed.status === 400) sendPlain(res, 400, `Bad Request: ${routed.message ?? 'invalid request'}\n`);
      else {
        logger.debug({ status: routed.status, method: req.method, path: routed.rawPath }, 'no usable route');
        errors.respond(routed.status, req, res, routed.rawPath);
      }
      return;
    }
    const gate = edgeCheck(req, routed, false);
    if (gate?.kind === 'redirect') {
      res.writeHead(302, { Location: gate.location, 'Cache-Control': 'no-store', 'Content-Length': 0 });
      res.end();
      return;
    }
    if (gate?.kind === 'deny') {
      sendPlain(res, 401, 'Unauthorized: sign in through the hub to use this server\n', { 'Cache-Control': 'no-store' });
      return;
    }
    const headers = upstreamHeaders(
      req.rawHeaders,
      { remoteAddress: req.socket.remoteAddress, encrypted, websocket: false },
      headerOptions,
      gate === undefined ? undefined : forwardedCookie,
    );
    forwardHttp(req, res, routed.upstream, targetPath(req, routed), headers.list, headers.hasBody, routed.match.prefix, routed.rawPath);
  };

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', (err) => logger.debug({ err: err.message }, 'websocket client socket error'));
    const routed = route(req);
    if (!routed.ok) {
      logger.debug({ status: routed.status, path: routed.rawPath }, 'websocket refused');
      writeSocketError(socket, routed.status);
      return;
    }
    const gate = edgeCheck(req, routed, true);
    if (gate !== undefined && gate.kind !== 'pass') {
      writeSocketError(socket, 401);
      return;
    }
    const headers = upstreamHeaders(
      req.rawHeaders,
      { remoteAddress: req.socket.remoteAddress, encrypted, websocket: true },
      headerOptions,
      gate === undefined ? undefined : forwardedCookie,
    );
    wsDeps.track(socket);
    forwardUpgrade(wsDeps, req, socket, head, routed.upstream, targetPath(req, routed), headers.list, headers.upgrade ?? 'websocket', routed.match.prefix, routed.rawPath);
  };

  const server: http.Server = deps.tls.public === undefined ? http.createServer() : https.createServer(deps.tls.public);
  server.keepAliveTimeout = options.keepAliveTimeout;
  if (server.headersTimeout <= options.keepAliveTimeout) server.headersTimeout = options.keepAliveTimeout + 1000;
  if (options.timeout !== undefined && options.timeout > 0) server.timeout = options.timeout;

  const guard = (what: string, req: IncomingMessage, fail: () => void) => (err: unknown): void => {
    logger.warn({ err: err instanceof Error ? err.message : String(err), path: logPath(req.url) }, `${what} failed`);
    fail();
  };
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    try {
      onRequest(req, res);
    } catch (err) {
      guard('routing', req, () => (res.headersSent ? res.destroy() : errors.respond(503, req, res, logPath(req.url))))(err);
    }
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    try {
      onUpgrade(req, socket, head);
    } catch (err) {
      guard('websocket routing', req, () => writeSocketError(socket, 503))(err);
    }
  });
  server.on('clientError', (err: Error & { code?: string }, socket: Duplex) => answerClientError(err, socket));
  if (encrypted) server.on('tlsClientError', (_err: Error, socket: Duplex) => socket.destroy());

  return {
    server,
    async shutdown() {
      closing = true;
      server.close();
      server.closeAllConnections();
      for (const socket of upgraded) socket.destroy();
      upgraded.clear();
      errors.close();
      await upstreams.close();
    },
  };
}

/** Answer a request Node could not parse (huge headers, garbage, timeouts) and close the socket. */
export function answerClientError(err: Error & { code?: string }, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const reason = STATUS_CODES[status] ?? 'Bad Request';
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`, () => socket.destroy());
}
