// Typed client for a CHP-compatible proxy's REST API (ours or configurable-http-proxy).
import { HubError } from '../errors';

export interface ProxyRoute {
  target: string;
  last_activity?: string;
  [key: string]: unknown;
}

export class ProxyClient {
  constructor(private readonly apiUrl: string, private readonly token: string, private readonly timeoutMs = 10_000) {}

  private async call(method: string, path: string, body?: unknown): Promise<Response> {
    try {
      return await fetch(`${this.apiUrl.replace(/\/$/, '')}/api/routes${path}`, {
        method,
        headers: { Authorization: `token ${this.token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw new HubError('PROXY_UNAVAILABLE', 'The proxy is not reachable right now.', {
        detail: `${method} proxy ${path}: ${(err as Error).message}`, cause: err,
      });
    }
  }

  private static async fail(res: Response, what: string): Promise<never> {
    const text = (await res.text()).slice(0, 200);
    throw new HubError('PROXY_UNAVAILABLE', 'The proxy refused a routing change.', {
      detail: `${what}: ${res.status} ${text}`,
    });
  }

  async getRoutes(): Promise<Record<string, ProxyRoute>> {
    const res = await this.call('GET', '');
    if (res.status !== 200) return ProxyClient.fail(res, 'GET routes');
    return (await res.json()) as Record<string, ProxyRoute>;
  }

  async addRoute(key: string, target: string, data: Record<string, unknown>): Promise<void> {
    const res = await this.call('POST', encodeRouteKey(key), { ...data, target });
    if (res.status !== 201 && res.status !== 200) return ProxyClient.fail(res, `POST ${key}`);
    await res.body?.cancel();
  }

  /** Deleting an absent route is not an error. */
  async deleteRoute(key: string): Promise<void> {
    const res = await this.call('DELETE', encodeRouteKey(key));
    if (res.status !== 204 && res.status !== 404 && res.status !== 200) return ProxyClient.fail(res, `DELETE ${key}`);
    await res.body?.cancel();
  }

  /** True if a proxy answers with our token; false if nothing listens; throws on a foreign proxy. */
  async ping(): Promise<boolean> {
    let res: Response;
    try {
      res = await fetch(`${this.apiUrl.replace(/\/$/, '')}/api/routes`, {
        headers: { Authorization: `token ${this.token}` }, signal: AbortSignal.timeout(2000),
      });
    } catch {
      return false;
    }
    await res.body?.cancel();
    if (res.status === 200) return true;
    throw new HubError('PROXY_UNAVAILABLE', 'Another proxy holds the proxy API address.', {
      detail: `GET ${this.apiUrl}/api/routes answered ${res.status}: is a proxy with another token running? Set proxy.authToken or stop it.`,
    });
  }
}

/** Route keys are paths; escape each segment so names with '%', '?' or '#' survive. */
function encodeRouteKey(key: string): string {
  if (key === '/') return '/';
  return key.split('/').map((seg) => encodeURIComponent(decodeURIComponentSafe(seg)).replace(/%40/g, '@')).join('/');
}

function decodeURIComponentSafe(seg: string): string {
  try {
    return decodeURIComponent(seg);
  } catch {
    return seg;
  }
}
