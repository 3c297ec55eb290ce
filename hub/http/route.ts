// Route declaration: every API route states the scopes it needs or that it is public, and
// cannot be registered otherwise. Checks answer 403 (scope missing) or 404 (filtered miss).
import type { Request, Response, Router } from 'express';
import { HubError } from '../errors';
import type { Principal } from '../auth/principal';
import { principalCan } from '../auth/principal';
import type { Resource } from '../auth/scopes';

export type Access =
  | { public: true }
  | { scopes: readonly string[]; resource?: (req: Request) => Resource | Promise<Resource> };

export type Handler = (req: Request, res: Response, principal: Principal) => unknown;
export type PublicHandler = (req: Request, res: Response, principal: Principal | null) => unknown;

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

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

export class ApiRoutes {
  /** Every registered route with its access rule (for the docs and the access-matrix test). */
  readonly table: Array<{ method: Method; path: string; access: string }> = [];

  constructor(private readonly router: Router) {}

  private add(method: Method, path: string, access: Access, handler: Handler | PublicHandler): void {
    if (!access || (!('public' in access) && !(access.scopes?.length > 0))) {
      throw new Error(`route ${method.toUpperCase()} ${path} declares neither scopes nor public`);
    }
    this.table.push({ method, path, access: 'public' in access ? 'public' : access.scopes.join('|') });
    this.router[method](path, async (req: Request, res: Response) => {
      const principal = currentPrincipal(res);
      if ('public' in access) return (handler as PublicHandler)(req, res, principal);
      const resource = access.resource ? await access.resource(req) : {};
      return (handler as Handler)(req, res, requireScopes(principal, access.scopes, resource));
    });
  }

  get(path: string, access: Access, handler: Handler): void { this.add('get', path, access, handler); }
  post(path: string, access: Access, handler: Handler): void { this.add('post', path, access, handler); }
  patch(path: string, access: Access, handler: Handler): void { this.add('patch', path, access, handler); }
  delete(path: string, access: Access, handler: Handler): void { this.add('delete', path, access, handler); }
  getPublic(path: string, handler: PublicHandler): void { this.add('get', path, { public: true }, handler); }
  postPublic(path: string, handler: PublicHandler): void { this.add('post', path, { public: true }, handler); }
}
