/**
 * The part of the team's durable job queue (`server/jobs/job-queue.ts`, pg-boss) reminders use,
 * as a port: the delivery engine is tested with the real queue, and nothing here knows pg-boss.
 */
import type { Transaction } from 'kysely';
import type { Tables } from '../db/schema.ts';

export interface ReminderJobs {
  send<T extends object>(queue: string, data: T, options?: { startAfter?: Date; key?: string; trx?: Transaction<Tables> }): Promise<string | null>;
  work<T extends object>(queue: string, handler: (data: T, job: { id: string; retryCount: number }) => Promise<void>, options?: { retryLimit?: number; retryDelaySeconds?: number; concurrency?: number; expireInSeconds?: number }): Promise<void>;
  cancel(queue: string, id: string): Promise<void>;
}

/** Queue of "something is due for this Space at this time" (startAfter = the due time). */
export const DUE_QUEUE = 'reminder-due';
/** Queue of "this Space's calendar entry changed (or was added by someone): e-mail its new version". */
export const CALENDAR_QUEUE = 'reminder-calendar';

export type DueJob = { spaceId: string };
export type CalendarJob = { spaceId: string; sequence: number; accountId?: string };

export const dueJobKey = (spaceId: string, dueAt: Date) => `${spaceId}@${dueAt.toISOString()}`;
export const calendarJobKey = (spaceId: string, sequence: number, accountId?: string) => `${spaceId}#${sequence}${accountId ? `:${accountId}` : ''}`;
