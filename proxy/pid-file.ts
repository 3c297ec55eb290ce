// --pid-file (CHP's flag): write our process id once listening, remove it when we stop.

import { unlinkSync, writeFileSync } from 'node:fs';
import type { Logger } from 'pino';

export function writePidFile(file: string, logger: Logger): void {
  try {
    writeFileSync(file, String(process.pid));
  } catch (err) {
    logger.warn({ file, err: (err as Error).message }, 'could not write the pid file');
  }
}

export function removePidFile(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // already gone
  }
}
