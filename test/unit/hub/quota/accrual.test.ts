// Accrual into month documents: exactly once per stretch of time (retries and repeats add
// nothing), split at month boundaries, rate fixed per run.
import { accrueRun, emptyUsage, runKey, watermark, type RunRef } from '../../../../hub/quota/accrual';
import { PricingSectionSchema } from '../../../../hub/quota/config';
import { monthRange } from '../../../../hub/quota/month';
import type { Usage } from '../../../../hub/store/store';

const pricing = PricingSectionSchema.parse({ perGbHour: 1, perCpuHour: 0 });
const HOUR = 3_600_000;
const t = (iso: string) => Date.parse(iso);
const run: RunRef = { user: 'alice', server: '', started: '2024-05-31T22:00:00.000Z', rate: { memGb: 2, cpu: 1, priceClass: null } };
const NOW = '2024-06-01T00:00:00.000Z';

function apply(doc: Usage, until: number, range = monthRange('2024-05', 'UTC'), r: RunRef = run): Usage {
  return accrueRun(doc, r, range, until, pricing, NOW) ?? doc;
}

describe('accrueRun', () => {
  it('charges from the run start to until, and moves the watermark there', () => {
    const doc = apply(emptyUsage('alice', '2024-05', NOW), t('2024-05-31T23:00:00Z'));
    expect(doc.gbHours).toBeCloseTo(2);
    expect(doc.cpuHours).toBeCloseTo(1);
    expect(doc.cost).toBeCloseTo(2);
    expect(doc.runs[runKey('', run.started)]?.accruedTo).toBe('2024-05-31T23:00:00.000Z');
    expect(watermark(doc, run, monthRange('2024-05', 'UTC'))).toBe(t('2024-05-31T23:00:00Z'));
  });

  it('adds nothing when repeated or asked for an earlier time (another process got there first)', () => {
    const once = apply(emptyUsage('alice', '2024-05', NOW), t('2024-05-31T23:00:00Z'));
    expect(accrueRun(once, run, monthRange('2024-05', 'UTC'), t('2024-05-31T23:00:00Z'), pricing, NOW)).toBeUndefined();
    expect(accrueRun(once, run, monthRange('2024-05', 'UTC'), t('2024-05-31T22:30:00Z'), pricing, NOW)).toBeUndefined();
  });

  it('charges in many small steps exactly what one big step charges', () => {
    let steps = emptyUsage('alice', '2024-05', NOW);
    for (let m = 1; m <= 120; m++) steps = apply(steps, t(run.started) + m * 60_000);
    const big = apply(emptyUsage('alice', '2024-05', NOW), t(run.started) + 2 * HOUR);
    expect(steps.gbHours).toBeCloseTo(big.gbHours, 9);
    expect(steps.cost).toBeCloseTo(big.cost, 9);
  });

  it('stops at the month end; the next month starts at its first instant', () => {
    const until = t('2024-06-01T02:00:00Z');
    const may = apply(emptyUsage('alice', '2024-05', NOW), until);
    expect(may.gbHours).toBeCloseTo(2 * 2); // 22:00 to 24:00
    expect(may.runs[runKey('', run.started)]?.accruedTo).toBe('2024-06-01T00:00:00.000Z');
    const june = apply(emptyUsage('alice', '2024-06', NOW), until, monthRange('2024-06', 'UTC'));
    expect(june.gbHours).toBeCloseTo(2 * 2); // 00:00 to 02:00
  });

  it('keeps the rate of the run\'s first entry in the month', () => {
    const first = apply(emptyUsage('alice', '2024-05', NOW), t('2024-05-31T23:00:00Z'));
    const bigger: RunRef = { ...run, rate: { memGb: 100, cpu: 100, priceClass: null } };
    const second = apply(first, t('2024-06-01T00:00:00Z'), monthRange('2024-05', 'UTC'), bigger);
    expect(second.gbHours).toBeCloseTo(4);
  });

  it('keeps runs of several servers apart', () => {
    const other: RunRef = { ...run, server: 'gpu', rate: { memGb: 1, cpu: 0, priceClass: null } };
    let doc = apply(emptyUsage('alice', '2024-05', NOW), t('2024-05-31T23:00:00Z'));
    doc = apply(doc, t('2024-05-31T23:00:00Z'), monthRange('2024-05', 'UTC'), other);
    expect(Object.keys(doc.runs)).toHaveLength(2);
    expect(doc.gbHours).toBeCloseTo(2 + 1);
  });

  it('charges nothing for a run that started after until (another hub\'s clock is behind)', () => {
    expect(accrueRun(emptyUsage('alice', '2024-05', NOW), run, monthRange('2024-05', 'UTC'), t('2024-05-31T21:00:00Z'), pricing, NOW)).toBeUndefined();
  });
});
