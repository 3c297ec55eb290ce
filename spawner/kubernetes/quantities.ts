// Kubernetes resource quantities from the hub's units (bytes, cores) and back (pure).
// Output is exact: a byte count is never rounded to a coarser suffix.

const BINARY: ReadonlyArray<[string, number]> = [
  ['Ei', 2 ** 60],
  ['Pi', 2 ** 50],
  ['Ti', 2 ** 40],
  ['Gi', 2 ** 30],
  ['Mi', 2 ** 20],
  ['Ki', 2 ** 10],
];

const FACTORS: Record<string, number> = {
  '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/** Bytes as the largest binary suffix that divides them exactly: 2147483648 -> "2Gi", 1000 -> "1000". */
export function bytesToQuantity(bytes: number): string {
  if (!Number.isSafeInteger(bytes) || bytes <= 0) throw new RangeError(`memory must be a positive whole number of bytes, got ${bytes}`);
  for (const [suffix, factor] of BINARY) {
    if (bytes % factor === 0) return `${bytes / factor}${suffix}`;
  }
  return String(bytes);
}

/** Cores as whole cores or millicores: 2 -> "2", 0.5 -> "500m"; rounds up to 1m so a limit never becomes 0. */
export function coresToQuantity(cores: number): string {
  if (!Number.isFinite(cores) || cores <= 0) throw new RangeError(`CPU must be a positive number of cores, got ${cores}`);
  const milli = Math.ceil(Math.round(cores * 1e6) / 1e3);
  return milli % 1000 === 0 ? String(milli / 1000) : `${milli}m`;
}

/** A memory quantity ("512Mi", "1.5Gi", "2G", "1000") in bytes, rounded up; null if not a quantity. */
export function parseMemoryQuantity(quantity: string): number | null {
  const m = /^([0-9]+(?:\.[0-9]+)?)(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/.exec(quantity);
  if (!m) return null;
  const factor = FACTORS[m[2] ?? ''];
  if (factor === undefined) return null;
  const bytes = Math.ceil(Number(m[1]) * factor);
  return Number.isSafeInteger(bytes) && bytes > 0 ? bytes : null;
}
