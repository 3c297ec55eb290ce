// zod parsing for request bodies and queries: a failure is a 400 that names each bad field.
import type { z } from 'zod';
import { HubError } from '../errors';

export function parseInput<S extends z.ZodType>(schema: S, value: unknown, where: 'body' | 'query'): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => {
    const path = [where, ...i.path.map(String)].join('.');
    return i.code === 'unrecognized_keys' ? `${path}: unknown field(s) ${i.keys.join(', ')}` : `${path}: ${i.message}`;
  });
  throw new HubError('BAD_REQUEST', `Invalid request: ${problems.join('; ')}`);
}
