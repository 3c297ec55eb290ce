// Route declaration: every API route states the scopes it needs or that it is public, and
// cannot be registered otherwise. Checks answer 403 (scope missing) or 404 (filtered miss).
import type { Request, Response, Router } from 'express';
import type { z } from 'zod';
import { HubError } from '../errors';
import type { Principal } from '../auth/principal';
import { principalCan } from '../auth/principal';
import { isValidScope, type Resource } from '../auth/scopes';

export type Access =
  | { public: true }
  | { scopes: readonly string[]; resource?: (req: Request) => Resource | Promise<Resource> };

export type Handler = (req: Request, res: Response, principal: Principal) => unknown;
export type PublicHandler = (req: Request, res: Response, principal: Principal | null) => unknown;

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/**
 * The schemas a route's handler validates its input with (the same objects, passed to parseInput),
 * declared with the route so the OpenAPI document shows them.
 */
export interface InputSchemas {
  body?: z.ZodType;
  /** The handler treats a missing body as {} (`req.body ?? {}`). */
  optionalBody?: boolean;
  query?: z.ZodType;
}

export interface RouteTableEntry extends InputSchemas {
  method: Method;
  path: string;
  /** 'public' or the scopes joined with '|'. */
  access: string;
}

export function currentPrincipal(res: Response): Principal | null {
  return (res.locals.principal as Principal | null | undefined) ?? null;
}

/** Throws the JupyterHub-shaped refusal unless the principal holds one of the scopes. */
export function requireScopes(principal: Principal | null, scopes: readonly string[], resource: Resource = {}): Principal {
  if (!principal) throw new HubError('FORBIDDEN', 'Missing or invalid credentials.', { reason: 'unauthenticated' });
  const verdict = principalCan(principal, scopes, resource);
  if (verdict === 'yes') return principal;
  if (verdict === 'filtered-miss') throw new HubError('NOT_FOUND', 'No access to resources or resources not found.');
  throw new HubError('FORBIDDEN', `Action is not authorized with current scopes; requires any of [${scopes.join(', ')}]`, {
    reason: 'scope',
  });
}

/** What is wrong with a route's access declaration, or null (pure; `access` may be anything). */
export function accessProblem(access: unknown): string | null {
  if (access === null || typeof access !== 'object') return 'declares neither scopes nor public';
  const a = access as { public?: unknown; scopes?: unknown };
  if ('public' in a) {
    if (a.public !== true) return `declares public: ${JSON.stringify(a.public)} (only public: true is allowed)`;
    return 'scopes' in a ? 'declares both public and scopes' : null;
  }
  if (!Array.isArray(a.scopes) || a.scopes.length === 0) return 'declares neither scopes nor public';
  const unknown = a.scopes.filter((s) => typeof s !== 'string' || !isValidScope(s));
  return unknown.length > 0 ? `declares unknown scopes: ${unknown.map(String).join(', ')}` : null;
}

const isPublic = (access: Access): access is { public: true } => (access as { public?: unknown }).public === true;

/** Every route of an express router, nested routers included: method and path as mounted. */
export function routesOf(router: unknown, prefix = ''): Array<{ method: string; path: string }> {
  const out: Array<{ method: string; path: string }> = [];
  const stack = (router as { stack?: unknown[] } | null)?.stack ?? [];
  for (const layer of stack as Array<{ route?: { path: unknown; methods: Record<string, boolean> }; handle?: unknown; rawPath?: unknown }>) {
    if (layer.route) {
      const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
      for (const p of paths) {
        for (const [m, on] of Object.entries(layer.route.methods)) if (on && m !== '_all') out.push({ method: m, path: `${prefix}${String(p)}` });
      }
    } else if ((layer.handle as { stack?: unknown } | undefined)?.stack) {
      const mount = typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : '';
      out.push(...routesOf(layer.handle, `${prefix}${mount}`));
    }
  }
  return out;
}

/**
 * Throws if `router` serves a path under `apiPath` that no ApiRoutes declared: the check that
 * no API route slips past the scope declaration by being added to a router directly.
 */
export function assertApiRoutesDeclared(router: unknown, declared: ReadonlyArray<{ method: string; path: string }>, apiPath = '/api'): void {
  const known = new Set(declared.map((r) => `${r.method} ${r.path}`));
  const stray = routesOf(router).filter((r) => (r.path === apiPath || r.path.startsWith(`${apiPath}/`)) && !known.has(`${r.method} ${r.path}`));
  if (stray.length > 0) {
    throw new Error(`API routes registered without a scope declaration (use ApiRoutes): ${stray.map((r) => `${r.method.toUpperCase()} ${r.path}`).join(', ')}`);
  }
}

export class ApiRoutes {
  /** Every registered route with its access rule (for the docs and the access-matrix test). */
  readonly table: RouteTableEntry[] = [];

  /** `mount`: where `router` is mounted below the hub prefix ('/api'), for the table's paths. */
  constructor(private readonly router: Router, private readonly mount = '') {}

  private add(method: Method, path: string, access: Access, handler: Handler | PublicHandler, input: InputSchemas = {}): void {
    const problem = accessProblem(access);
    if (problem) throw new Error(`route ${method.toUpperCase()} ${path} ${problem}`);
    this.table.push({ method, path: `${this.mount}${path}`, access: isPublic(access) ? 'public' : access.scopes.join('|'), ...input });
    this.router[method](path, async (req: Request, res: Response) => {
      const principal = currentPrincipal(res);
      if (isPublic(access)) return (handler as PublicHandler)(req, res, principal);
      const resource = access.resource ? await access.resource(req) : {};
      return (handler as Handler)(req, res, requireScopes(principal, access.scopes, resource));
    });
  }

  get(path: string, access: Access, handler: Handler, input?: InputSchemas): void { this.add('get', path, access, handler, input); }
  post(path: string, access: Access, handler: Handler, input?: InputSchemas): void { this.add('post', path, access, handler, input); }
  put(path: string, access: Access, handler: Handler, input?: InputSchemas): void { this.add('put', path, access, handler, input); }
  patch(path: string, access: Access, handler: Handler, input?: InputSchemas): void { this.add('patch', path, access, handler, input); }
  delete(path: string, access: Access, handler: Handler, input?: InputSchemas): void { this.add('delete', path, access, handler, input); }
  getPublic(path: string, handler: PublicHandler): void { this.add('get', path, { public: true }, handler); }
  postPublic(path: string, handler: PublicHandler): void { this.add('post', path, { public: true }, handler); }
}
