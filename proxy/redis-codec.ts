// How routes look in Redis (pure): route data is stored as JSON without last_activity, which lives
// in its own hash as milliseconds; and a Redis URL as it may be logged (no password).

import type { RouteData } from './route-store';

/** The URL without its password, for logs and errors. */
export function redactRedisUrl(url: string): string {
  if (!URL.canParse(url)) return 'redis://(unparseable)';
  const u = new URL(url);
  if (u.password !== '') u.password = '***';
  return u.toString();
}

/** Milliseconds of an ISO time, or undefined. */
export function msOf(iso: unknown): number | undefined {
  if (typeof iso !== 'string') return undefined;
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? ms : undefined;
}

/** Route data as stored: without last_activity, which lives in the activity hash. */
export function storedJson(data: RouteData): string {
  const rest: Record<string, unknown> = { ...data };
  delete rest.last_activity;
  return JSON.stringify(rest);
}

/** Route data from its stored JSON and stored activity (ms as text, or nothing). Throws on bad JSON. */
export function withActivity(json: string, la: string | null | undefined): RouteData {
  const data = JSON.parse(json) as RouteData;
  const ms = la === null || la === undefined ? NaN : Number(la);
  if (Number.isFinite(ms)) data.last_activity = new Date(ms).toISOString();
  return data;
}
