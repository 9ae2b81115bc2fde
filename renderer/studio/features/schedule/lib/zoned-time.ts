/**
 * Wall-clock times in a named time zone, without a date library: what a host types
 * ("2026-12-01T18:30" in Europe/Berlin) becomes an instant, and an instant is shown in a zone.
 * Intl knows every IANA zone and its daylight-saving rules.
 */

/** The zone this device is in (what a host most likely means). */
export function deviceTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** Every zone Intl knows, for a picker (the device's own first). */
export function timeZones(): string[] {
  const own = deviceTimeZone();
  const all = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [own, 'UTC'];
  return [own, ...all.filter((zone) => zone !== own)];
}

const partsFormat = new Map<string, Intl.DateTimeFormat>();

function wallClock(instant: number, timeZone: string): { year: number; month: number; day: number; hour: number; minute: number; second: number } {
  let format = partsFormat.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    partsFormat.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(instant).map((p) => [p.type, p.value]));
  return { year: +parts['year']!, month: +parts['month']!, day: +parts['day']!, hour: +parts['hour']!, minute: +parts['minute']!, second: +parts['second']! };
}

/** The zone's offset from UTC at an instant, in ms (Berlin in winter: +3,600,000). */
export function zoneOffsetMs(instant: number, timeZone: string): number {
  const w = wallClock(instant, timeZone);
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - Math.floor(instant / 1000) * 1000;
}

/**
 * The instant at which the clock in `timeZone` shows `local` ("YYYY-MM-DDTHH:mm"). A time that a
 * daylight-saving jump skips moves forward by the jump; one that happens twice is the first.
 */
export function instantOf(local: string, timeZone: string): Date {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(local);
  if (!match) throw new RangeError(`"${local}" is not a date and time`);
  const [, y, mo, d, h, mi] = match.map(Number) as [number, number, number, number, number, number];
  const asUtc = Date.UTC(y, mo - 1, d, h, mi);
  // The offsets half a day either side: any daylight-saving change in between is one of them.
  const candidates = [...new Set([asUtc - zoneOffsetMs(asUtc - 12 * 3600_000, timeZone), asUtc - zoneOffsetMs(asUtc + 12 * 3600_000, timeZone)])].sort((a, b) => a - b);
  const shown = candidates.filter((instant) => localInputValue(new Date(instant), timeZone) === local);
  // Shown twice (the autumn hour): the first. Never shown (the spring gap): read with the offset before the jump.
  return new Date(shown[0] ?? candidates[candidates.length - 1]!);
}

/** The instant as "YYYY-MM-DDTHH:mm" on the clock in `timeZone` (for a datetime-local input). */
export function localInputValue(instant: Date, timeZone: string): string {
  const w = wallClock(instant.getTime(), timeZone);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${w.year}-${two(w.month)}-${two(w.day)}T${two(w.hour)}:${two(w.minute)}`;
}

/** "Tue 1 Dec, 18:30 CET" in the given zone (the viewer's own by default). */
export function describeWhen(instant: Date, timeZone?: string): string {
  return new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', timeZoneName: 'short', ...(timeZone ? { timeZone } : {}) }).format(instant);
}
