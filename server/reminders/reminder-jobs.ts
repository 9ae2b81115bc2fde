/**
 * The part of the team's durable job queue (`server/jobs/job-queue.ts`, pg-boss) reminders use,
 * as a port: the delivery engine is tested with the real queue, and nothing here knows pg-boss.
 */
import type { Transaction } from 'kysely';
import type { Tables } from '../db/schema.ts';
import type { ReminderKind } from '../domain/reminders.ts';

export interface ReminderJobs {
  send<T extends object>(queue: string, data: T, options?: { startAfter?: Date; key?: string; trx?: Transaction<Tables> }): Promise<string | null>;
  work<T extends object>(queue: string, handler: (data: T, job: { id: string; retryCount: number }) => Promise<void>, options?: { retryLimit?: number; retryDelaySeconds?: number; concurrency?: number; expireInSeconds?: number }): Promise<void>;
  cancel(queue: string, id: string): Promise<void>;
}

/** Queue of "something is due for this Space at this time" (startAfter = the due time). */
export const DUE_QUEUE = 'reminder-due';
/**
 * Queue of "send one page of a Space's holders what is due for this occurrence (its start time) and
 * kind": a due job fans out into these, so no one job holds every holder of a big Space.
 */
export const BATCH_QUEUE = 'reminder-batch';
/** Queue of "this Space's calendar entry changed (or was added by someone): e-mail its new version". */
export const CALENDAR_QUEUE = 'reminder-calendar';

export type DueJob = { spaceId: string };
export type CalendarJob = { spaceId: string; sequence: number; accountId?: string };

export const dueJobKey = (spaceId: string, dueAt: Date) => `${spaceId}@${dueAt.toISOString()}`;
export const calendarJobKey = (spaceId: string, sequence: number, accountId?: string) => `${spaceId}#${sequence}${accountId ? `:${accountId}` : ''}`;
/** One page: holders `firstAccountId`…`lastAccountId` of the Space starting at `startsAt` (ISO), for the `kind` reminder (`minutesBefore` for "before"). */
export type BatchJob = { spaceId: string; startsAt: string; kind: ReminderKind; minutesBefore: number | null; firstAccountId: string; lastAccountId: string };
/** The page's key: the same page of the same occurrence and kind is queued once (`round` names a sweep's retry round). */
export const batchJobKey = (job: BatchJob, round?: string) =>
  `${job.spaceId}@${job.startsAt}/${job.kind}${job.minutesBefore === null ? '' : `-${job.minutesBefore}`}/${job.firstAccountId}${round === undefined ? '' : `~${round}`}`;
