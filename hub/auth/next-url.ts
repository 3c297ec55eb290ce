// Where to go after sign-in: only paths on this deployment, never another site (no open redirect).

export function safeNext(next: unknown, baseUrl: string, fallback: string): string {
  if (typeof next !== 'string' || next.length === 0 || next.length > 4096) return fallback;
  // Reject scheme-relative (//evil), backslash tricks (/\evil), schemes and control characters.
  if (!next.startsWith('/') || next.startsWith('//') || next.includes('\\') || /\p{Cc}/u.test(next)) return fallback;
  if (!next.startsWith(baseUrl)) return fallback;
  return next;
}
