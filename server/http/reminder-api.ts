/**
 * The reminder API's bodies and answers as zod schemas (the routes parse bodies with them; the
 * listener page and the studio parse answers with them). Pure zod: the renderer may import this.
 */
import { z } from 'zod';

export const REMINDER_CHANNEL_NAMES = ['email', 'push', 'calendar'] as const;

export const reminderBody = z.strictObject({
  channels: z.array(z.string().max(20)).max(10),
  minutesBefore: z.number().int().min(-1_000_000).max(1_000_000).nullable().optional(),
  email: z.string().max(320).optional(),
  timeZone: z.string().max(200).optional(),
});
export type ReminderBody = z.infer<typeof reminderBody>;

export const contactBody = z.strictObject({
  email: z.string().max(320).nullable().optional(),
  timeZone: z.string().max(200).optional(),
});

export const pushSubscriptionBody = z.object({
  endpoint: z.string().max(2048),
  keys: z.object({ p256dh: z.string().max(200), auth: z.string().max(100) }),
  // Browsers add expirationTime (and more): accepted, not kept.
  expirationTime: z.number().nullable().optional(),
});
export const removePushBody = z.strictObject({ endpoint: z.string().max(2048) });

export const reminderJson = z.object({
  spaceId: z.string(),
  channels: z.array(z.enum(REMINDER_CHANNEL_NAMES)),
  minutesBefore: z.number().nullable(),
  createdAt: z.string(),
});
export type ReminderJson = z.infer<typeof reminderJson>;

export const creatorReminderJson = z.object({ handle: z.string(), channels: z.array(z.enum(REMINDER_CHANNEL_NAMES)), minutesBefore: z.number().nullable() });
export type CreatorReminderJson = z.infer<typeof creatorReminderJson>;

export const reminderSettingsJson = z.object({
  /** Whether this server can send e-mail (without it, e-mail and calendar reminders are refused). */
  emailConfigured: z.boolean(),
  /** The VAPID public key a browser subscribes with (applicationServerKey). */
  vapidPublicKey: z.string(),
});
export type ReminderSettingsJson = z.infer<typeof reminderSettingsJson>;

export const contactJson = z.object({ email: z.string().nullable(), timeZone: z.string(), emailUnsubscribed: z.boolean() });
