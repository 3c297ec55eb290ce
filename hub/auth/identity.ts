// Pure identity rules: normalise a user name and decide whether it is acceptable.
import { USER_NAME_PATTERN } from '../servers/names';

/** Trimmed, NFC, lower case: 'Alice ' and 'alice' are one user (JupyterHub's default). */
export function normalizeUsername(raw: string): string {
  return raw.trim().normalize('NFC').toLowerCase();
}

export function validateUsername(name: string): string | null {
  if (name.length === 0) return 'a user name is required';
  if (name === '.' || name === '..') return 'a user name cannot be "." or ".."';
  if (!USER_NAME_PATTERN.test(name)) return 'user names may not contain "/", "\\", "?", "#", "%" or control characters, and have at most 255 characters';
  return null;
}
