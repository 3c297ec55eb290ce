// Strict parsing of resource sizes as people write them in the catalog and in magic links:
// memory "512M", "16G", "1.5Gi", "1073741824" (bytes); CPU "0.5", "2", "500m". Pure.
// K/M/G/T are powers of 1024, as in JupyterHub's mem_limit (so "16G" means the same there and
// here); Ki/Mi/Gi/Ti are the Kubernetes spellings of the same units. Anything else is an error.

export class UnitError extends Error {
  override name = 'UnitError';
}

const MEMORY_UNITS: Record<string, number> = {
  '': 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40,
};
const MEMORY = /^(\d{1,15})(?:\.(\d{1,6}))?(Ki|Mi|Gi|Ti|K|M|G|T)?$/;
const CPU = /^(\d{1,6})(?:\.(\d{1,3}))?$/;
const MILLI_CPU = /^(\d{1,9})m$/;

function show(value: unknown): string {
  const text = typeof value === 'string' ? `"${value}"` : JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** Bytes from "512M", "16G", "1.5Gi" or a whole number of bytes; throws UnitError naming the value. */
export function parseMemory(value: unknown): number {
  const expected = 'expected a memory size such as 512M, 16G, 1.5Gi or a whole number of bytes';
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value) && value > 0) return value;
    throw new UnitError(`${expected}, got ${show(value)}`);
  }
  if (typeof value !== 'string') throw new UnitError(`${expected}, got ${show(value)}`);
  const m = MEMORY.exec(value);
  if (!m) throw new UnitError(`${expected}, got ${show(value)}`);
  const unit = m[3] ?? '';
  if (m[2] !== undefined && unit === '') throw new UnitError(`bytes must be a whole number, got ${show(value)}`);
  const bytes = Math.floor(Number(`${m[1]}.${m[2] ?? '0'}`) * (MEMORY_UNITS[unit] as number));
  if (!Number.isSafeInteger(bytes) || bytes < 1) throw new UnitError(`${expected} (at least 1 byte), got ${show(value)}`);
  return bytes;
}

/** Cores from "0.5", "2", "500m" (millicores) or a number; at most millicore precision. */
export function parseCpu(value: unknown): number {
  const expected = 'expected a CPU amount such as 0.5, 2 or 500m';
  let millis: number;
  if (typeof value === 'number') {
    millis = value * 1000;
    if (!Number.isFinite(value) || Math.abs(millis - Math.round(millis)) > 1e-6) throw new UnitError(`${expected} (at most 3 decimals), got ${show(value)}`);
    millis = Math.round(millis);
  } else if (typeof value === 'string' && CPU.test(value)) {
    const [whole, frac = ''] = value.split('.');
    millis = Number(whole) * 1000 + Number(frac.padEnd(3, '0'));
  } else if (typeof value === 'string' && MILLI_CPU.test(value)) {
    millis = Number(value.slice(0, -1));
  } else {
    throw new UnitError(`${expected}, got ${show(value)}`);
  }
  if (millis < 1) throw new UnitError(`${expected} (more than 0), got ${show(value)}`);
  return millis / 1000;
}

/** "512 MiB", "16 GiB", "1.5 GiB": for pages and messages. */
export function formatMemory(bytes: number): string {
  const units: Array<[string, number]> = [['TiB', 2 ** 40], ['GiB', 2 ** 30], ['MiB', 2 ** 20], ['KiB', 2 ** 10]];
  for (const [name, size] of units) {
    if (bytes >= size) {
      const v = bytes / size;
      return `${Number.isInteger(v) ? v : Number(v.toFixed(2))} ${name}`;
    }
  }
  return `${bytes} B`;
}

/** "1 CPU", "0.5 CPU", "2 CPUs". */
export function formatCpu(cores: number): string {
  return `${Number(cores.toFixed(3))} CPU${cores > 1 ? 's' : ''}`;
}
