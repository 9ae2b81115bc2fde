import { describe, expect, it } from 'vitest';
import { instantOf, localInputValue, zoneOffsetMs } from './zoned-time.ts';

describe('zoned time', () => {
  it('reads a wall-clock time in a zone as the right instant, summer and winter', () => {
    expect(instantOf('2026-12-01T18:30', 'Europe/Berlin').toISOString()).toBe('2026-12-01T17:30:00.000Z');
    expect(instantOf('2026-07-01T18:30', 'Europe/Berlin').toISOString()).toBe('2026-07-01T16:30:00.000Z');
    expect(instantOf('2026-12-01T18:30', 'America/New_York').toISOString()).toBe('2026-12-01T23:30:00.000Z');
    expect(instantOf('2026-12-01T18:30', 'Asia/Kolkata').toISOString()).toBe('2026-12-01T13:00:00.000Z');
    expect(instantOf('2026-12-01T18:30', 'UTC').toISOString()).toBe('2026-12-01T18:30:00.000Z');
  });

  it('moves a time skipped by the spring jump forward, and takes the first of a repeated autumn hour', () => {
    // Berlin 2026-03-29: 02:00 → 03:00. 02:30 does not exist on the clock.
    expect(instantOf('2026-03-29T02:30', 'Europe/Berlin').toISOString()).toBe('2026-03-29T01:30:00.000Z');
    // Berlin 2026-10-25: 03:00 → 02:00. 02:30 happens twice; the first is at 00:30Z.
    expect(instantOf('2026-10-25T02:30', 'Europe/Berlin').toISOString()).toBe('2026-10-25T00:30:00.000Z');
  });

  it('shows an instant on the clock of a zone, the inverse of instantOf', () => {
    const instant = new Date('2026-12-01T17:30:00Z');
    expect(localInputValue(instant, 'Europe/Berlin')).toBe('2026-12-01T18:30');
    expect(localInputValue(instant, 'Asia/Tokyo')).toBe('2026-12-02T02:30');
    expect(zoneOffsetMs(instant.getTime(), 'Asia/Tokyo')).toBe(9 * 3600_000);
  });

  it('refuses text that is not a date and time', () => {
    expect(() => instantOf('tomorrow', 'UTC')).toThrow(RangeError);
  });
});
