// backoffDelay: capped exponential delays.
import { backoffDelay } from '../../../../hub/util/backoff';

describe('backoffDelay', () => {
  it.each<[number, number]>([[0, 50], [1, 100], [2, 200], [3, 400], [4, 800], [5, 1000], [30, 1000], [5000, 1000], [-3, 50]])(
    'attempt %p → %p ms with the defaults', (attempt, ms) => {
      expect(backoffDelay(attempt)).toBe(ms);
    },
  );

  it('uses the given base and cap', () => {
    expect([0, 1, 2, 3, 4, 5].map((a) => backoffDelay(a, 20, 500))).toEqual([20, 40, 80, 160, 320, 500]);
  });

  it('never decreases as attempts grow', () => {
    const delays = Array.from({ length: 40 }, (_, a) => backoffDelay(a, 7, 10_000));
    for (let i = 1; i < delays.length; i++) expect(delays[i]).toBeGreaterThanOrEqual(delays[i - 1] as number);
    expect(delays.at(-1)).toBe(10_000);
  });
});
