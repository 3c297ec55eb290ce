// The HTTP face of the test API server: the REST paths of pods (and their log), PVCs, secrets,
// events and network policies in namespaces, with list/watch, create, get, patch and delete;
// validation answers 422, conflicts 409, missing objects 404, and injected faults (429/5xx).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import type { Kubelet } from './kubelet';
import { KINDS, kindOf, type KubeObject, type ObjectStore } from './object-store';
import { applyPatch } from './patch';
import { parseFieldSelector, parseLabelSelector } from './selectors';
import { ApiStatusError, badRequest, expired, invalid, tooManyRequests } from './status';
import { validationCauses } from './validation';
import { serveWatch, type WatchRegistry } from './watch';

export interface Fault {
  status: number;
  /** How many matching requests get the fault (then it is spent). */
  times: number;
  retryAfterSeconds?: number;
  /** Which requests: `${verb} ${resource}` such as 'create pods', 'list events' (default: any but watches). */
  match?: (route: string) => boolean;
}

export interface RequestStats {
  /** Non-watch requests by `${verb} ${resource}`. */
  byRoute: Map<string, number>;
  total: number;
  watches: number;
  /** Requests refused with an injected fault. */
  faulted: number;
  /** Non-watch requests being answered now, and the most at one time. */
  inFlight: number;
  maxInFlight: number;
}

interface Route {
  resource: string;
  namespace: string;
  name: string | null;
  sub: string | null;
}

const PATH = /^\/(?:api\/v1|apis\/networking\.k8s\.io\/v1)\/namespaces\/([^/]+)\/([a-z]+)(?:\/([^/]+))?(?:\/([a-z]+))?$/;
const MAX_BODY = 4 * 1024 * 1024;

export interface ApiHttpServer {
  url: string;
  server: http.Server;
  faults: Fault[];
  stats: RequestStats;
  /** Added to every non-watch answer (ms), to make concurrency visible. */
  latencyMs: number;
  /** Objects the server refused with 422, with the reasons (tests assert there are none). */
  rejected: Array<{ route: string; name: string; message: string }>;
  close(): Promise<void>;
}

export async function startApiHttpServer(store: ObjectStore, kubelet: Kubelet, watches: WatchRegistry): Promise<ApiHttpServer> {
  const faults: Fault[] = [];
  const stats: RequestStats = { byRoute: new Map(), total: 0, watches: 0, faulted: 0, inFlight: 0, maxInFlight: 0 };
  const rejected: ApiHttpServer['rejected'] = [];
  const removalTimers = new Set<NodeJS.Timeout>();
  const snapshots = new Map<string, { snapshot: { items: KubeObject[]; rv: number; key: string }; offset: number; key: string }>();
  const api: ApiHttpServer = {
    url: '',
    server: null as unknown as http.Server,
    faults,
    stats,
    latencyMs: 0,
    rejected,
    close: async () => {
      for (const t of removalTimers) clearTimeout(t);
      watches.closeAll();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      const status = err instanceof ApiStatusError ? err : new ApiStatusError(500, 'InternalError', String(err));
      if (!res.headersSent) send(res, status.code, status.body(), status.details.retryAfterSeconds);
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 5000;
  api.server = server;

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const m = PATH.exec(url.pathname);
    if (!m) throw new ApiStatusError(404, 'NotFound', `the server could not find the requested resource (${url.pathname})`);
    const route: Route = { namespace: decodeURIComponent(m[1] ?? ''), resource: m[2] ?? '', name: m[3] ? decodeURIComponent(m[3]) : null, sub: m[4] ?? null };
    const groupOk = route.resource === 'networkpolicies' ? url.pathname.startsWith('/apis/networking.k8s.io/') : url.pathname.startsWith('/api/v1/');
    if (!KINDS[route.resource] || !groupOk) throw new ApiStatusError(404, 'NotFound', `the server could not find the requested resource (${route.resource})`);
    const isWatch = req.method === 'GET' && route.name === null && ['true', '1'].includes(url.searchParams.get('watch') ?? '');
    const verb = isWatch ? 'watch' : verbOf(req.method ?? 'GET', route);
    const label = `${verb} ${route.resource}${route.sub ? `/${route.sub}` : ''}`;
    if (isWatch) stats.watches++;
    else {
      stats.total++;
      stats.byRoute.set(label, (stats.byRoute.get(label) ?? 0) + 1);
      stats.inFlight++;
      stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
      res.once('close', () => { stats.inFlight = Math.max(0, stats.inFlight - 1); });
      if (api.latencyMs > 0) await new Promise((r) => setTimeout(r, api.latencyMs));
    }
    const fault = faults.find((f) => f.times > 0 && (f.match ? f.match(label) : !isWatch));
    if (fault) {
      fault.times--;
      stats.faulted++;
      req.resume();
      const err = fault.status === 429 ? tooManyRequests(fault.retryAfterSeconds ?? 1) : new ApiStatusError(fault.status, 'InternalError', `injected failure ${fault.status}`);
      send(res, err.code, err.body(), fault.retryAfterSeconds);
      return;
    }
    if (isWatch) {
      serveWatch(req, res, store, watches, {
        resource: route.resource,
        namespace: route.namespace,
        resourceVersion: url.searchParams.get('resourceVersion') ?? '',
        allowBookmarks: url.searchParams.get('allowWatchBookmarks') === 'true',
        timeoutSeconds: Number(url.searchParams.get('timeoutSeconds') ?? '1800'),
        labels: parseLabelSelector(url.searchParams.get('labelSelector')),
        fields: parseFieldSelector(url.searchParams.get('fieldSelector')),
      });
      return;
    }
    const kind = kindOf(route.resource);
    switch (verb) {
      case 'list': {
        req.resume();
        let labels: ReturnType<typeof parseLabelSelector>;
        let fields: ReturnType<typeof parseFieldSelector>;
        try {
          labels = parseLabelSelector(url.searchParams.get('labelSelector'));
          fields = parseFieldSelector(url.searchParams.get('fieldSelector'));
        } catch (err) {
          throw badRequest(String((err as Error).message));
        }
        const meta = KINDS[route.resource] as { kind: string; apiVersion: string };
        const page = listPage(route, url.searchParams, () =>
          store.list(route.resource, route.namespace, (o) => labels((o.metadata.labels ?? {}) as Record<string, string>) && fields(o)));
        send(res, 200, { apiVersion: meta.apiVersion, kind: `${meta.kind}List`, metadata: page.metadata, items: page.items });
        return;
      }
      case 'create': {
        const body = await readJson(req);
        const created = create(route, body, label);
        send(res, 201, created);
        return;
      }
      case 'get': {
        req.resume();
        send(res, 200, store.mustGet(route.resource, route.namespace, route.name as string));
        return;
      }
      case 'get log': {
        req.resume();
        const pod = store.mustGet('pods', route.namespace, route.name as string);
        const tail = Number(url.searchParams.get('tailLines') ?? 'NaN');
        const lines = kubelet.logs(route.namespace, pod.metadata.name);
        const shown = Number.isInteger(tail) && tail >= 0 ? lines.slice(-tail || lines.length) : lines;
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end(shown.map((l) => `${l}\n`).join(''));
        return;
      }
      case 'patch': {
        const contentType = req.headers['content-type'] ?? '';
        const body = await readJson(req);
        const current = store.mustGet(route.resource, route.namespace, route.name as string);
        let next: unknown;
        try {
          next = applyPatch(contentType, current, body);
        } catch (err) {
          throw new ApiStatusError(415, 'UnsupportedMediaType', String((err as Error).message));
        }
        const patched = update(route, current, next as KubeObject, label);
        send(res, 200, patched);
        return;
      }
      case 'delete': {
        const body = (await readJson(req, true)) as { gracePeriodSeconds?: unknown } | null;
        const graceParam = url.searchParams.get('gracePeriodSeconds') ?? (body?.gracePeriodSeconds !== undefined ? String(body.gracePeriodSeconds) : null);
        send(res, 200, remove(route, kind, graceParam === null ? null : Number(graceParam)));
        return;
      }
      default:
        req.resume();
        throw new ApiStatusError(405, 'MethodNotAllowed', `${req.method ?? ''} is not supported on ${route.resource}`);
    }
  }

  /**
   * One page of a list: with `limit`, the first page snapshots the whole list (as etcd serves
   * every page from one revision) and `continue` walks that snapshot; a token whose snapshot the
   * history no longer covers answers 410 Expired.
   */
  function listPage(route: Route, params: URLSearchParams, current: () => KubeObject[]) {
    const limit = Number(params.get('limit') ?? '0');
    const token = params.get('continue');
    let snapshot: { items: KubeObject[]; rv: number; key: string };
    let offset = 0;
    if (token) {
      const found = snapshots.get(token);
      if (!found || found.key !== `${route.resource}/${route.namespace}`) throw expired('The provided continue parameter is too old to display a consistent list result.');
      snapshots.delete(token);
      snapshot = found.snapshot;
      offset = found.offset;
    } else {
      snapshot = { items: current().sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1)), rv: store.resourceVersion, key: `${route.resource}/${route.namespace}` };
    }
    const end = Number.isInteger(limit) && limit > 0 ? offset + limit : snapshot.items.length;
    const metadata: Record<string, unknown> = { resourceVersion: String(snapshot.rv) };
    if (end < snapshot.items.length) {
      const next = randomBytes(12).toString('base64url');
      snapshots.set(next, { snapshot, offset: end, key: snapshot.key });
      if (snapshots.size > 100) snapshots.delete(snapshots.keys().next().value as string);
      metadata.continue = next;
      metadata.remainingItemCount = snapshot.items.length - end;
    }
    return { metadata, items: snapshot.items.slice(offset, end) };
  }

  function create(route: Route, body: unknown, label: string): KubeObject {
    const object = (body ?? {}) as Record<string, unknown>;
    const meta = (object.metadata ?? {}) as Record<string, unknown>;
    const expected = KINDS[route.resource] as { kind: string; apiVersion: string };
    if (object.kind !== expected.kind || object.apiVersion !== expected.apiVersion) {
      throw badRequest(`the API version in the data (${String(object.apiVersion)}) and kind (${String(object.kind)}) do not match the endpoint (${expected.apiVersion} ${expected.kind})`);
    }
    if (meta.namespace !== undefined && meta.namespace !== route.namespace) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    for (const field of ['uid', 'resourceVersion', 'creationTimestamp', 'deletionTimestamp']) {
      if (meta[field] !== undefined) throw invalid(expected.kind, String(meta.name), [{ field: `metadata.${field}`, message: 'may not be set on create', reason: 'FieldValueForbidden' }]);
    }
    const toValidate = { ...object, metadata: { ...meta, namespace: route.namespace } };
    const causes = validationCauses(toValidate);
    if (causes.length) {
      const err = invalid(expected.kind, String(meta.name ?? ''), causes);
      rejected.push({ route: label, name: String(meta.name ?? ''), message: err.message });
      throw err;
    }
    const stored: Record<string, unknown> = { ...toValidate };
    if (route.resource === 'pods') stored.status = { phase: 'Pending', qosClass: 'Burstable' };
    if (route.resource === 'persistentvolumeclaims') stored.status = { phase: 'Bound', accessModes: (object.spec as { accessModes?: unknown }).accessModes };
    if (route.resource === 'secrets' && object.stringData) {
      const data = { ...((object.data ?? {}) as Record<string, string>) };
      for (const [k, v] of Object.entries(object.stringData as Record<string, string>)) data[k] = Buffer.from(v, 'utf8').toString('base64');
      stored.data = data;
      delete stored.stringData;
    }
    return store.create(route.resource, route.namespace, stored);
  }

  function update(route: Route, current: KubeObject, next: KubeObject, label: string): KubeObject {
    const kind = kindOf(route.resource);
    const nextMeta = (next.metadata ?? {}) as Record<string, unknown>;
    if (nextMeta.name !== current.metadata.name || nextMeta.uid !== current.metadata.uid) {
      throw invalid(kind, current.metadata.name, [{ field: 'metadata', message: 'name and uid may not change', reason: 'FieldValueInvalid' }]);
    }
    if (route.resource === 'pods' && JSON.stringify(next.spec) !== JSON.stringify(current.spec)) {
      throw invalid(kind, current.metadata.name, [{ field: 'spec', message: 'Forbidden: pod updates may not change fields other than metadata in this test server', reason: 'FieldValueForbidden' }]);
    }
    const causes = validationCauses(next);
    if (causes.length) {
      const err = invalid(kind, current.metadata.name, causes);
      rejected.push({ route: label, name: current.metadata.name, message: err.message });
      throw err;
    }
    return store.update(route.resource, route.namespace, current.metadata.name, next);
  }

  function remove(route: Route, kind: string, grace: number | null): KubeObject {
    const name = route.name as string;
    const current = store.mustGet(route.resource, route.namespace, name);
    if (route.resource !== 'pods') return store.remove(route.resource, route.namespace, name);
    if (grace !== null && (!Number.isInteger(grace) || grace < 0)) throw badRequest(`invalid gracePeriodSeconds for ${kind} ${name}`);
    const spec = current.spec as { nodeName?: string; terminationGracePeriodSeconds?: number };
    const effective = grace ?? spec.terminationGracePeriodSeconds ?? 30;
    // Pods never bound to a node, or deleted with grace 0, go at once (as on a real API server).
    if (effective === 0 || !spec.nodeName) return store.remove('pods', route.namespace, name);
    const already = current.metadata.deletionGracePeriodSeconds;
    if (typeof already === 'number' && already <= effective) return current;
    kubelet.markDeleting(route.namespace, name, effective);
    // The node would kill the container when the grace period ends; if no kubelet finishes first, we do.
    const uid = current.metadata.uid;
    const timer = setTimeout(() => {
      removalTimers.delete(timer);
      const still = store.get('pods', route.namespace, name);
      if (still && still.metadata.uid === uid) store.remove('pods', route.namespace, name);
    }, effective * 1000 + 1000);
    removalTimers.add(timer);
    return store.mustGet('pods', route.namespace, name);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  api.url = `http://127.0.0.1:${port}`;
  return api;
}


function verbOf(method: string, route: Route): string {
  if (route.sub === 'log') return method === 'GET' ? 'get log' : 'unsupported';
  if (route.sub !== null) return 'unsupported';
  if (route.name === null) return method === 'GET' ? 'list' : method === 'POST' ? 'create' : 'unsupported';
  if (method === 'GET') return 'get';
  if (method === 'PATCH') return 'patch';
  if (method === 'DELETE') return 'delete';
  return 'unsupported';
}

function send(res: http.ServerResponse, status: number, body: unknown, retryAfterSeconds?: number): void {
  const text = JSON.stringify(body);
  const headers: http.OutgoingHttpHeaders = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'audit-id': randomBytes(8).toString('hex') };
  if (retryAfterSeconds !== undefined) headers['retry-after'] = String(retryAfterSeconds);
  res.writeHead(status, headers);
  res.end(text);
}

async function readJson(req: http.IncomingMessage, optional = false): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new ApiStatusError(413, 'RequestEntityTooLarge', 'request body too large');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') {
    if (optional) return null;
    throw badRequest('the request body is empty');
  }
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest('the request body is not valid JSON');
  }
}
