// The public listener: longest-prefix routing of HTTP and websocket requests to route targets via
// http-proxy-3, the health endpoint, error pages, and activity recording. Keeps the per-request
// path thin: no URL objects per request, no logging above debug for ordinary traffic.

import http, { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { createProxyServer } from 'http-proxy-3';
import type { Logger } from 'pino';
import type { ActivityTracker } from './activity';
import { createErrorResponder, writeSocketError } from './error-pages';
import { stripHopByHop } from './hop-by-hop';
import { logPath } from './logging';
import type { ProxyOptions } from './options';
import type { RouteMatch, RouteStore } from './route-store';
import { hostSegment, routingPath, stripSegments } from './target';

export const HEALTH_PATH = '/_chp_healthz';
const HEALTH_BODY = JSON.stringify({ status: 'ok' });
const TARGET_CACHE_LIMIT = 10_000;
/** Errors that mean "the target is not there or went away": logged without a stack. */
const KNOWN_NETWORK_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ETIMEDOUT', 'ENOTFOUND', 'EPIPE']);

export interface PublicServerDeps {
  options: ProxyOptions;
  routes: RouteStore;
  activity: ActivityTracker;
  logger: Logger;
}

export interface PublicServer {
  server: http.Server;
  /** Stop accepting, drop open connections (websockets included) and agents. */
  shutdown(): void;
}

type Routed =
  | { ok: true; match: RouteMatch; target: URL; rawPath: string; query: string; hostRouted: boolean }
  | { ok: false; status: number; rawPath: string; message?: string };

function sendPlain(res: ServerResponse, status: number, text: string): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export function createPublicServer(deps: PublicServerDeps): PublicServer {
  const { options, routes, activity, logger } = deps;
  const httpAgent = new http.Agent({ keepAlive: true, maxFreeSockets: 256 });
  const httpsAgent = new https.Agent({ keepAlive: true, maxFreeSockets: 256 });
  const errors = createErrorResponder({ errorTarget: options.errorTarget, errorPath: options.errorPath, logger });
  const proxy = createProxyServer({
    xfwd: options.xForward,
    ...(options.timeout !== undefined && options.timeout > 0 ? { timeout: options.timeout } : {}),
    ...(options.proxyTimeout !== undefined && options.proxyTimeout > 0 ? { proxyTimeout: options.proxyTimeout } : {}),
  });
  const targets = new Map<string, URL>();
  const wsPrefixes = new WeakMap<IncomingMessage, string>();
  const upgraded = new Set<Duplex>();

  // Parsed once per distinct target string rather than once per request.
  const targetUrl = (target: string): URL | undefined => {
    let url = targets.get(target);
    if (url === undefined) {
      if (!URL.canParse(target)) return undefined;
      if (targets.size >= TARGET_CACHE_LIMIT) targets.clear();
      url = new URL(target);
      targets.set(target, url);
    }
    return url;
  };

  const route = async (req: IncomingMessage): Promise<Routed> => {
    const url = req.url ?? '/';
    let host: string | undefined;
    if (options.hostRouting) {
      host = hostSegment(req.headers.host);
      if (host === undefined) return { ok: false, status: 400, rawPath: logPath(url), message: 'missing or invalid Host header' };
    }
    const parsed = routingPath(url, host);
    if (!parsed.ok) return { ok: false, status: 400, rawPath: logPath(url), message: parsed.message };
    const match = await routes.getTarget(parsed.path);
    if (match === undefined) return { ok: false, status: 404, rawPath: parsed.rawPath };
    const target = targetUrl(match.data.target);
    if (target === undefined) return { ok: false, status: 503, rawPath: parsed.rawPath };
    return { ok: true, match, target, rawPath: parsed.rawPath, query: parsed.query, hostRouted: host !== undefined };
  };

  // The prefix includes the host segment under host routing; the raw URL does not.
  const rewriteUrl = (req: IncomingMessage, routed: Extract<Routed, { ok: true }>): void => {
    if (options.includePrefix) return;
    const depth = routed.match.depth - (routed.hostRouted ? 1 : 0);
    req.url = stripSegments(routed.rawPath, depth) + routed.query;
  };

  const agentFor = (target: URL): http.Agent => (target.protocol === 'https:' || target.protocol === 'wss:' ? httpsAgent : httpAgent);

  const logProxyError = (status: number, req: IncomingMessage, rawPath: string, err: Error & { code?: string }): void => {
    const fields = { status, method: req.method, path: rawPath, code: err.code };
    if (err.code !== undefined && KNOWN_NETWORK_ERRORS.has(err.code)) logger.warn({ ...fields, err: err.message }, 'proxy target error');
    else logger.warn({ ...fields, err }, 'proxy target error');
  };

  const handleWeb = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = req.url;
    if (url === HEALTH_PATH || url?.startsWith(HEALTH_PATH + '?') === true) {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(HEALTH_BODY);
      return;
    }
    const routed = await route(req);
    if (!routed.ok) {
      if (routed.status === 400) sendPlain(res, 400, `Bad Request: ${routed.message ?? 'invalid request'}\n`);
      else {
        logger.debug({ status: routed.status, method: req.method, path: routed.rawPath }, 'no usable route');
        errors.respond(routed.status, req, res, routed.rawPath);
      }
      return;
    }
    const prefix = routed.match.prefix;
    const rawPath = routed.rawPath;
    rewriteUrl(req, routed);
    stripHopByHop(req.headers);
    res.once('finish', () => {
      if (res.statusCode < 300) activity.record(prefix);
    });
    proxy.web(req, res, { target: routed.target, agent: agentFor(routed.target) }, (err) => {
      logProxyError(503, req, rawPath, err as Error & { code?: string });
      if (res.headersSent) res.destroy();
      else errors.respond(503, req, res, rawPath);
    });
  };

  const handleUpgrade = async (req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> => {
    const routed = await route(req);
    if (!routed.ok) {
      logger.debug({ status: routed.status, path: routed.rawPath }, 'websocket refused');
      writeSocketError(socket, routed.status);
      return;
    }
    rewriteUrl(req, routed);
    if (options.xForward && req.headers['x-forwarded-host'] === undefined && req.headers.host !== undefined) {
      req.headers['x-forwarded-host'] = req.headers.host;
    }
    wsPrefixes.set(req, routed.match.prefix);
    upgraded.add(socket);
    socket.once('close', () => upgraded.delete(socket));
    const rawPath = routed.rawPath;
    proxy.ws(req, socket, head, { target: routed.target, agent: agentFor(routed.target) }, (err) => {
      logProxyError(503, req, rawPath, err as Error & { code?: string });
      writeSocketError(socket, 503);
    });
  };

  // Websocket activity: data in either direction, attached once the upgrade succeeded (in the same
  // tick as http-proxy's pipes, so no data is consumed before them).
  proxy.on('proxyReqWs', (proxyReq, req, socket) => {
    const prefix = wsPrefixes.get(req);
    if (prefix === undefined) return;
    proxyReq.once('upgrade', (_res, proxySocket: Socket) => {
      activity.record(prefix);
      const onData = (): void => activity.record(prefix);
      socket.on('data', onData);
      proxySocket.on('data', onData);
      upgraded.add(proxySocket);
      proxySocket.once('close', () => upgraded.delete(proxySocket));
    });
  });
  // Reached only if a pass fails without our callback; never let it crash the process.
  proxy.on('error', (err, req, resOrSocket) => {
    logger.warn({ err: err.message, path: logPath(req.url) }, 'proxy error');
    if (resOrSocket instanceof http.ServerResponse) {
      if (!resOrSocket.headersSent) errors.respond(503, req, resOrSocket, logPath(req.url));
      else resOrSocket.destroy();
    } else resOrSocket.destroy();
  });

  const server = http.createServer();
  server.keepAliveTimeout = options.keepAliveTimeout;
  if (server.headersTimeout <= options.keepAliveTimeout) server.headersTimeout = options.keepAliveTimeout + 1000;

  const failUnexpected = (err: unknown, req: IncomingMessage, reply: (status: number) => void): void => {
    logger.warn({ err: err instanceof Error ? err.message : String(err), path: logPath(req.url) }, 'routing failed');
    reply(503);
  };

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    handleWeb(req, res).catch((err: unknown) =>
      failUnexpected(err, req, (status) => (res.headersSent ? res.destroy() : errors.respond(status, req, res, logPath(req.url)))),
    );
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', (err) => logger.debug({ err: err.message }, 'websocket client socket error'));
    handleUpgrade(req, socket, head).catch((err: unknown) => failUnexpected(err, req, (status) => writeSocketError(socket, status)));
  });
  server.on('clientError', (err: Error & { code?: string }, socket: Duplex) => answerClientError(err, socket));

  return {
    server,
    shutdown() {
      server.close();
      server.closeAllConnections();
      for (const socket of upgraded) socket.destroy();
      upgraded.clear();
      httpAgent.destroy();
      httpsAgent.destroy();
      errors.close();
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
