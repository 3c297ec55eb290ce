// The OpenAPI 3.1 document of the hub's REST API, built from the route table (pure): every route
// with its path parameters, the scopes it needs (any one of them) or that it is public, and the
// JSON Schema of its body and query parameters from the zod schemas its handler validates with.
// Served at GET {hub}api/openapi.json, so scripts and tools can discover the extensions
// (quotas, usage, images, workshops, culling) next to JupyterHub's own endpoints.
import { z } from 'zod';

export interface RouteEntry {
  method: string;
  /** Express path below the API prefix, e.g. /users/:name/servers/:server */
  path: string;
  /** 'public' or the scopes joined with '|' (any one suffices). */
  access: string;
  body?: z.ZodType;
  optionalBody?: boolean;
  query?: z.ZodType;
}

type JsonSchema = { type?: unknown; properties?: Record<string, unknown>; required?: string[]; [k: string]: unknown };

/** What a client may send (input side: defaults are optional); parts JSON Schema cannot say become {}. */
function inputSchema(schema: z.ZodType): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

/** A query schema (an object) as OpenAPI query parameters. */
function queryParameters(schema: z.ZodType): Array<Record<string, unknown>> {
  const json = inputSchema(schema);
  const required = new Set(json.required ?? []);
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({ name, in: 'query', required: required.has(name), schema: property }));
}

/** sciencehub's extensions; every other route has its JupyterHub namesake. */
const EXTENSION_PATHS = /\/(quota|usage|cull)(\/|$)|^\/(images|workshops|usage(\.csv)?|openapi\.json)(\/|$)/;

/** `/users/:name/servers/:server` → `/users/{name}/servers/{server}` and the parameter names. */
export function openApiPath(expressPath: string): { path: string; params: string[] } {
  const params: string[] = [];
  const path = expressPath.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, (_m, name: string) => {
    params.push(name);
    return `{${name}}`;
  });
  return { path, params };
}

function tagOf(path: string): string {
  return EXTENSION_PATHS.test(path) ? 'sciencehub extensions' : 'JupyterHub API';
}

export function openApiDocument(routes: readonly RouteEntry[], info: { version: string; serverUrl: string }): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of [...routes].sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method))) {
    const { path, params } = openApiPath(route.path);
    const scopes = route.access === 'public' ? [] : route.access.split('|');
    paths[path] ??= {};
    paths[path][route.method.toLowerCase()] = {
      operationId: `${route.method.toLowerCase()}${path.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
      tags: [tagOf(route.path)],
      ...(params.length > 0 || route.query
        ? { parameters: [...params.map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } })), ...(route.query ? queryParameters(route.query) : [])] }
        : {}),
      ...(route.body ? { requestBody: { required: route.optionalBody !== true, content: { 'application/json': { schema: inputSchema(route.body) } } } } : {}),
      // OpenAPI lists alternatives: any one scope grants access. Public routes need no token.
      security: scopes.length === 0 ? [] : scopes.map((s) => ({ token: [s] })),
      'x-scopes': scopes,
      responses: {
        default: { description: 'JSON; errors are {"status": <code>, "message": <what was wrong>}' },
        ...(scopes.length > 0 ? { 403: { description: 'missing or invalid token, or none of the scopes' }, 404: { description: 'not found, or filtered out by a scope' } } : {}),
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'sciencehub REST API',
      version: info.version,
      description: "JupyterHub's REST API shapes where JupyterHub has the same thing, plus sciencehub's extensions. Scopes are JupyterHub's, with sciencehub's additions.",
    },
    servers: [{ url: info.serverUrl }],
    components: {
      securitySchemes: {
        token: { type: 'apiKey', in: 'header', name: 'Authorization', description: 'Authorization: token <API token> (or Bearer <API token>)' },
      },
    },
    paths,
  };
}
