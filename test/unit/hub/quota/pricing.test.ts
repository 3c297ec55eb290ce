// The cost model: charged size (limits, else the unsized-server charge), price classes by image
// pattern, and the money a stretch of time costs.
import { PricingSectionSchema, QuotasSectionSchema } from '../../../../hub/quota/config';
import { chargeFor, chargeRate, priceClassOf } from '../../../../hub/quota/pricing';
import { NO_RESOURCES } from '../../../../spawner/types';

const GB = 1024 ** 3;
const pricing = PricingSectionSchema.parse({
  currency: 'EUR', perGbHour: 0.01, perCpuHour: 0.05,
  classes: { gpu: { images: ['*gpu*', 'registry.example/cuda:*'], multiplier: 2, perServerHour: 1.5 }, big: { images: ['*'], multiplier: 1.1 } },
});
const quotas = QuotasSectionSchema.parse({ unsizedServer: { memoryGb: 0.5, cpu: 0.25 } });

describe('priceClassOf', () => {
  it.each<[string | null, string | null]>([
    ['jupyter/gpu-notebook:2024', 'gpu'], ['registry.example/cuda:12', 'gpu'], ['registry.example/cuda', 'big'],
    ['base-notebook', 'big'], [null, null],
  ])('%p is class %p (first matching class wins)', (image, cls) => {
    expect(priceClassOf(image, pricing)).toBe(cls);
  });

  it('treats regex characters in patterns literally', () => {
    const p = PricingSectionSchema.parse({ classes: { x: { images: ['a.b+c*'] } } });
    expect(priceClassOf('a.b+c:1', p)).toBe('x');
    expect(priceClassOf('aXb+c:1', p)).toBeNull();
  });
});

describe('chargeRate', () => {
  it('charges the limits when set, and the unsized-server charge otherwise', () => {
    expect(chargeRate({ ...NO_RESOURCES, memLimit: 4 * GB, cpuLimit: 2 }, 'base', quotas, PricingSectionSchema.parse({}))).toEqual({ memGb: 4, cpu: 2, priceClass: null });
    expect(chargeRate(NO_RESOURCES, null, quotas, pricing)).toEqual({ memGb: 0.5, cpu: 0.25, priceClass: null });
  });
});

describe('chargeFor', () => {
  it('turns time into GB-hours, CPU-hours and money, with class multiplier and hourly price', () => {
    const base = chargeFor({ memGb: 4, cpu: 2, priceClass: null }, 30 * 60_000, pricing);
    expect(base.gbHours).toBeCloseTo(2);
    expect(base.cpuHours).toBeCloseTo(1);
    expect(base.cost).toBeCloseTo(2 * 0.01 + 1 * 0.05);
    const gpu = chargeFor({ memGb: 4, cpu: 2, priceClass: 'gpu' }, 30 * 60_000, pricing);
    expect(gpu.cost).toBeCloseTo((2 * 0.01 + 1 * 0.05) * 2 + 0.75);
    // A class that is no longer configured is charged at the base price.
    expect(chargeFor({ memGb: 4, cpu: 2, priceClass: 'gone' }, 30 * 60_000, pricing).cost).toBeCloseTo(base.cost);
  });

  it('charges nothing for no time or negative time', () => {
    expect(chargeFor({ memGb: 4, cpu: 2, priceClass: null }, 0, pricing)).toEqual({ gbHours: 0, cpuHours: 0, cost: 0 });
    expect(chargeFor({ memGb: 4, cpu: 2, priceClass: null }, -5, pricing)).toEqual({ gbHours: 0, cpuHours: 0, cost: 0 });
  });

  it('is additive: charging a stretch in pieces equals charging it at once', () => {
    const rate = { memGb: 3, cpu: 1.5, priceClass: 'gpu' };
    const whole = chargeFor(rate, 3_600_000, pricing);
    const pieces = [1, 999, 1_000_000, 2_599_000].map((ms) => chargeFor(rate, ms, pricing));
    expect(pieces.reduce((a, b) => a + b.cost, 0)).toBeCloseTo(whole.cost, 10);
    expect(pieces.reduce((a, b) => a + b.gbHours, 0)).toBeCloseTo(whole.gbHours, 10);
  });
});
