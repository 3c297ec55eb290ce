// The last lines of a server's log file, for SpawnError and poll results.
// Reads only the end of the file so a huge log never costs much.
import { open } from 'node:fs/promises';

const MAX_TAIL_BYTES = 64 * 1024;

/** Last `n` non-empty lines of `text` (pure). */
export function lastLines(text: string, n: number): string[] {
  if (n <= 0) return [];
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  return lines.slice(-n);
}

export async function readLogTail(file: string, n: number): Promise<string[]> {
  if (n <= 0) return [];
  try {
    const handle = await open(file, 'r');
    try {
      const { size } = await handle.stat();
      const length = Math.min(size, MAX_TAIL_BYTES);
      const buf = Buffer.alloc(length);
      await handle.read(buf, 0, length, size - length);
      const lines = lastLines(buf.toString('utf8'), n + 1);
      // The first line may be cut in half when the read started mid-file.
      return (size > length ? lines.slice(1) : lines).slice(-n);
    } finally {
      await handle.close();
    }
  } catch {
    return [];
  }
}
