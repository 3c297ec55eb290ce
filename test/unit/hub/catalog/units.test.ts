import { formatCpu, formatMemory, parseCpu, parseMemory } from '../../../../hub/catalog/units';

describe('parseMemory', () => {
  it.each([
    ['512M', 512 * 2 ** 20],
    ['16G', 16 * 2 ** 30],
    ['1.5Gi', 1.5 * 2 ** 30],
    ['2Ti', 2 * 2 ** 40],
    ['1K', 1024],
    ['100Mi', 100 * 2 ** 20],
    ['1073741824', 2 ** 30],
    [4096, 4096],
    ['0.5K', 512],
  ])('%p is %d bytes', (input, bytes) => {
    expect(parseMemory(input)).toBe(bytes);
  });

  it.each(['', '16GB', '16 G', '16g', '-1G', '1e9', '0', '0G', '1.5', 'G', ' 16G', '16G ', 'lots', '0x10', '1.1234567G', '99999999999999999G'])('refuses %p naming the value', (input) => {
    expect(() => parseMemory(input)).toThrow(`got "${input}"`);
  });

  it('refuses non-strings and non-integers', () => {
    for (const bad of [1.5, -4, 0, Number.NaN, null, undefined, {}, ['1G'], true]) expect(() => parseMemory(bad)).toThrow(/memory size/);
  });

  it('a plain number of bytes is fine, bytes with a fraction are not', () => {
    expect(parseMemory('16')).toBe(16);
    expect(() => parseMemory('16.5')).toThrow(/whole number/);
  });
});

describe('parseCpu', () => {
  it.each([
    ['0.5', 0.5],
    ['2', 2],
    ['500m', 0.5],
    ['1500m', 1.5],
    ['0.001', 0.001],
    ['1m', 0.001],
    [4, 4],
    [0.25, 0.25],
  ])('%p is %d cores', (input, cores) => {
    expect(parseCpu(input)).toBe(cores);
  });

  it.each(['', '0', '0m', '-1', '1.0001', '2 ', 'two', '500M', '.5', '5.', '1e3', '0.0001'])('refuses %p', (input) => {
    expect(() => parseCpu(input)).toThrow(/CPU amount/);
  });

  it('refuses numbers finer than a millicore and non-numbers', () => {
    for (const bad of [0.0005, -1, 0, Number.POSITIVE_INFINITY, null, '1,5']) expect(() => parseCpu(bad)).toThrow(/CPU amount/);
  });
});

describe('formatting', () => {
  it('memory in binary units', () => {
    expect(formatMemory(16 * 2 ** 30)).toBe('16 GiB');
    expect(formatMemory(1.5 * 2 ** 30)).toBe('1.5 GiB');
    expect(formatMemory(512 * 2 ** 20)).toBe('512 MiB');
    expect(formatMemory(100)).toBe('100 B');
  });
  it('CPUs', () => {
    expect(formatCpu(1)).toBe('1 CPU');
    expect(formatCpu(0.5)).toBe('0.5 CPU');
    expect(formatCpu(4)).toBe('4 CPUs');
  });
});
