// Bytes and cores as Kubernetes quantities, exactly, and memory quantities back to bytes.
import { bytesToQuantity, coresToQuantity, parseMemoryQuantity } from '../../../../spawner/kubernetes/quantities';
import { quantityValue } from '../../../helpers/kube-api-server/validation';

describe('bytesToQuantity', () => {
  it.each<[number, string]>([
    [2 ** 30, '1Gi'],
    [3 * 2 ** 30, '3Gi'],
    [1536 * 2 ** 20, '1536Mi'],
    [512 * 2 ** 20, '512Mi'],
    [2 ** 40, '1Ti'],
    [1024, '1Ki'],
    [1000, '1000'],
    [1_000_000_000, '1000000000'],
    [1, '1'],
  ])('%i bytes -> %s', (bytes, quantity) => {
    expect(bytesToQuantity(bytes)).toBe(quantity);
    expect(quantityValue(quantity)).toBe(bytes);
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses %p', (bytes) => {
    expect(() => bytesToQuantity(bytes)).toThrow(RangeError);
  });
});

describe('coresToQuantity', () => {
  it.each<[number, string]>([
    [1, '1'],
    [2, '2'],
    [0.5, '500m'],
    [1.5, '1500m'],
    [0.25, '250m'],
    [0.1, '100m'],
    [0.0001, '1m'],
    [0.3333, '334m'],
  ])('%p cores -> %s', (cores, quantity) => {
    expect(coresToQuantity(cores)).toBe(quantity);
  });

  it('never rounds a limit down to zero', () => {
    expect(quantityValue(coresToQuantity(0.00001))).toBeGreaterThan(0);
  });

  it.each([0, -2, Number.POSITIVE_INFINITY])('refuses %p', (cores) => {
    expect(() => coresToQuantity(cores)).toThrow(RangeError);
  });
});

describe('parseMemoryQuantity', () => {
  it.each<[string, number | null]>([
    ['512Mi', 512 * 2 ** 20],
    ['1.5Gi', 1.5 * 2 ** 30],
    ['2G', 2e9],
    ['100k', 100_000],
    ['1000', 1000],
    ['lots', null],
    ['-1Gi', null],
    ['0', null],
  ])('%s -> %p', (quantity, bytes) => {
    expect(parseMemoryQuantity(quantity)).toBe(bytes);
  });
});
