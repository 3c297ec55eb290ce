// Pure formatting of timestamps as "3 minutes ago" against an injected `now`.
// Pages render times server-side so they read well without JS; no clock is read here.
import { html, SafeHtml } from './html';

const UNITS: ReadonlyArray<readonly [string, number]> = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
];

/** "just now", "5 minutes ago", "in 2 hours"; null when `iso` is not a valid timestamp. */
export function relativeTime(iso: string, now: Date): string | null {
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return null;
  const seconds = Math.round((now.getTime() - then) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 45) return 'just now';
  for (const [unit, size] of UNITS) {
    const count = Math.floor(abs / size);
    if (count >= 1) {
      const phrase = `${count} ${unit}${count === 1 ? '' : 's'}`;
      return seconds >= 0 ? `${phrase} ago` : `in ${phrase}`;
    }
  }
  return seconds >= 0 ? '1 minute ago' : 'in 1 minute';
}

/** `<time datetime>` with relative text and the exact timestamp as a tooltip; "never" for null. */
export function timeElement(iso: string | null, now: Date): SafeHtml {
  if (iso === null) return html`<span class="muted">never</span>`;
  const text = relativeTime(iso, now);
  if (text === null) return html`${iso}`;
  return html`<time datetime="${iso}" title="${iso}">${text}</time>`;
}
