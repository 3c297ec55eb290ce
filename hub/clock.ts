// Clock: the only way hub code reads time or waits, so tests can control both.
import type { Clock } from '../spawner/types';
export type { Clock };

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const t = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve(); }, ms);
      const onAbort = () => { clearTimeout(t); reject(signal?.reason); };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

export function isoNow(clock: Clock): string {
  return new Date(clock.now()).toISOString();
}
