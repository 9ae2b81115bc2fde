/**
 * A Space as a calendar entry (`ical-generator`): one VEVENT per Space with a UID that never
 * changes, its start in the host's time zone (with the zone's VTIMEZONE, so every calendar places
 * it right), an alarm 10 minutes before and a link to the Space. SEQUENCE counts the times it
 * moved, was renamed or was cancelled; a cancelled one goes out with METHOD:CANCEL.
 * A creator's feed lists their upcoming Spaces (a calendar app subscribes to its URL).
 */
import { getVtimezoneComponent } from '@touch4it/ical-timezones';
import ical, { ICalAlarmType, ICalCalendarMethod, ICalEventStatus, type ICalCalendar } from 'ical-generator';

export const SPACE_LENGTH_MS = 60 * 60_000;
export const ALARM_SECONDS_BEFORE = 10 * 60;

export type CalendarSpace = {
  id: string;
  title: string;
  startsAt: Date;
  timeZone: string;
  hostName: string;
  link: string;
  sequence: number;
  cancelled: boolean;
};

/** The UID every version of a Space's entry carries: calendars replace the entry, never add a second. */
export const spaceUid = (spaceId: string, domain: string) => `space-${spaceId}@${domain}`;

/**
 * A Date that ical-generator writes as the wall-clock time in the event's zone (it reads
 * `getHours()` etc. of what `withTimeZone` returns; a plain Date would be written in the
 * server's own zone).
 */
function zoned(date: Date, fixedZone?: string): Date {
  // The shape ical-generator recognises as a `@date-fns/tz` TZDate.
  return Object.assign(new Date(date.getTime()), {
    internal: new Date(date.getTime()),
    tzComponents: () => [],
    withTimeZone: (zone?: string | null) => wallClock(date, fixedZone ?? zone ?? 'UTC'),
  });
}

function wallClock(date: Date, zone: string): Date {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' })
      .formatToParts(date)
      .map((part) => [part.type, Number(part.value)]),
  ) as Record<string, number>;
  const wall = { getFullYear: () => parts['year']!, getMonth: () => parts['month']! - 1, getDate: () => parts['day']!, getHours: () => parts['hour']!, getMinutes: () => parts['minute']!, getSeconds: () => parts['second']! };
  return Object.assign(new Date(date.getTime()), wall);
}

function addEvent(calendar: ICalCalendar, space: CalendarSpace, domain: string, stamp: Date, zone: string | null): void {
  calendar.createEvent({
    id: spaceUid(space.id, domain),
    sequence: space.sequence,
    // DTSTAMP is UTC whatever the calendar's zone (ical-generator writes it without the Z then).
    stamp: zone ? zoned(stamp, 'UTC') : stamp,
    start: zone ? zoned(space.startsAt) : space.startsAt,
    end: zone ? zoned(new Date(space.startsAt.getTime() + SPACE_LENGTH_MS)) : new Date(space.startsAt.getTime() + SPACE_LENGTH_MS),
    timezone: zone,
    summary: space.title,
    description: `A live audio Space hosted by ${space.hostName}. Join: ${space.link}`,
    location: space.link,
    url: space.link,
    status: space.cancelled ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
    alarms: space.cancelled ? [] : [{ type: ICalAlarmType.display, trigger: ALARM_SECONDS_BEFORE, description: `${space.title} starts in 10 minutes` }],
  });
}

/** One Space's entry: METHOD:REQUEST (an invitation or its update) or METHOD:CANCEL; PUBLISH for a download. */
export function spaceCalendar(space: CalendarSpace, options: { domain: string; method: 'request' | 'cancel' | 'publish'; now: Date }): string {
  const method = { request: ICalCalendarMethod.REQUEST, cancel: ICalCalendarMethod.CANCEL, publish: ICalCalendarMethod.PUBLISH }[options.method];
  const calendar = ical({ name: space.title, prodId: { company: 'Spacecraft', product: 'reminders' }, method, timezone: { name: space.timeZone, generator: getVtimezoneComponent } });
  addEvent(calendar, space, options.domain, options.now, space.timeZone);
  return calendar.toString();
}

/** A creator's upcoming Spaces, for a calendar app to subscribe to. */
export function creatorFeed(creatorName: string, spaces: CalendarSpace[], options: { domain: string; now: Date }): string {
  const calendar = ical({ name: `${creatorName} on Spacecraft`, prodId: { company: 'Spacecraft', product: 'reminders' }, method: ICalCalendarMethod.PUBLISH, ttl: 15 * 60 });
  // Spaces of many zones in one feed: each start in UTC (a calendar shows it in the reader's zone).
  for (const space of spaces) addEvent(calendar, space, options.domain, options.now, null);
  return calendar.toString();
}
