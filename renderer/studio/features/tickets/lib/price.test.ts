import { describe, expect, it } from 'vitest';
import { localToIso, priceRange, toMajorUnits, toMinorUnits } from './price.ts';

describe('ticket prices in the studio', () => {
  it('reads what the host types in major units', () => {
    expect(toMinorUnits('4.99', 'usd')).toBe(499);
    expect(toMinorUnits('5', 'eur')).toBe(500);
    expect(toMinorUnits('5.5', 'gbp')).toBe(550);
    expect(toMinorUnits(' 12.30 ', 'usd')).toBe(1230);
    expect(toMinorUnits('500', 'jpy')).toBe(500);
    expect(toMinorUnits('5.5', 'jpy')).toBeNull();
    expect(toMinorUnits('4.999', 'usd')).toBeNull();
    expect(toMinorUnits('-1', 'usd')).toBeNull();
    expect(toMinorUnits('1e3', 'usd')).toBeNull();
    expect(toMinorUnits('', 'usd')).toBeNull();
  });

  it('shows amounts and the rules back', () => {
    expect(toMajorUnits(499, 'usd')).toBe('4.99');
    expect(toMajorUnits(500, 'jpy')).toBe('500');
    expect(priceRange('gbp')).toBe('From 0.30 GBP (Stripe’s minimum) to 600.00 GBP.');
    expect(priceRange('xxx')).toBe('');
    expect(localToIso('')).toBeNull();
    expect(localToIso('2026-12-01T18:30')).toBe(new Date('2026-12-01T18:30').toISOString());
  });
});
