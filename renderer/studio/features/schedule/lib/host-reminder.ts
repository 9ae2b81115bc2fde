/**
 * The host's own reminder in the studio: which of their scheduled Spaces to tell them about now,
 * `leadMinutes` before the start (and until 15 minutes after it, if the studio was closed then),
 * once per Space and start time (a moved Space is told again). Pure: the clock is an argument.
 */
import type { SpaceJson } from '../../../../../electron/contract.ts';

export const HOST_LEAD_CHOICES = [5, 10, 15, 30, 60] as const;
export const DEFAULT_HOST_LEAD_MINUTES = 10;
const LATE_MS = 15 * 60_000;

export type HostReminder = { key: string; space: SpaceJson; minutesToStart: number };

export const reminderKey = (space: SpaceJson) => `${space.id}@${space.scheduledFor ?? ''}`;

export function dueHostReminders(spaces: readonly SpaceJson[], now: number, leadMinutes: number, told: ReadonlySet<string>): HostReminder[] {
  const due: HostReminder[] = [];
  for (const space of spaces) {
    if (space.status !== 'scheduled' || !space.scheduledFor) continue;
    const start = Date.parse(space.scheduledFor);
    if (now < start - leadMinutes * 60_000 || now > start + LATE_MS) continue;
    const key = reminderKey(space);
    if (told.has(key)) continue;
    due.push({ key, space, minutesToStart: Math.round((start - now) / 60_000) });
  }
  return due;
}

export function hostReminderText(reminder: HostReminder): string {
  const m = reminder.minutesToStart;
  if (m > 0) return `“${reminder.space.title}” starts in ${m} minute${m === 1 ? '' : 's'}.`;
  if (m === 0) return `“${reminder.space.title}” starts now.`;
  return `“${reminder.space.title}” was due ${-m} minute${m === -1 ? '' : 's'} ago.`;
}
