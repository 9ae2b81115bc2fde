/**
 * The listener page's calls to the reminder routes (server/http/reminder-routes.ts), same origin,
 * signed in by `Authorization: Bearer` only. Answers are parsed with the shapes below (the renderer
 * may not import server/http, so they are declared here, matching server/http/reminder-api.ts).
 */
import { z } from 'zod';
import { ReceivedError } from '../../../server/errors.ts';
import { wireErrorSchema } from '../../../server/signalling/protocol.ts';

export const CHANNELS = ['email', 'push', 'calendar'] as const;
export type Channel = (typeof CHANNELS)[number];

const settingsSchema = z.object({ emailConfigured: z.boolean(), vapidPublicKey: z.string() });
const reminderSchema = z.object({ spaceId: z.string(), channels: z.array(z.enum(CHANNELS)), minutesBefore: z.number().nullable() });
const creatorReminderSchema = z.object({ handle: z.string(), channels: z.array(z.enum(CHANNELS)), minutesBefore: z.number().nullable() });
const contactSchema = z.object({ email: z.string().nullable(), timeZone: z.string(), emailUnsubscribed: z.boolean() });
export type ReminderSettings = z.infer<typeof settingsSchema>;
export type Reminder = z.infer<typeof reminderSchema>;
export type Contact = z.infer<typeof contactSchema>;

export type ReminderChoice = { channels: Channel[]; minutesBefore: number | null; email?: string; timeZone?: string };

async function call(serverUrl: string, method: string, path: string, token: string | null, body?: unknown): Promise<unknown> {
  const response = await fetch(new URL(path, serverUrl), {
    method,
    cache: 'no-store',
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  const parsed: unknown = text ? JSON.parse(text) : null;
  if (!response.ok) throw new ReceivedError(wireErrorSchema.parse((parsed as { error?: unknown } | null)?.error));
  return parsed;
}

export const loadSettings = async (serverUrl: string) => settingsSchema.parse(await call(serverUrl, 'GET', '/api/reminders/settings', null));
export const loadContact = async (serverUrl: string, token: string) => contactSchema.parse(await call(serverUrl, 'GET', '/api/accounts/me/reminder-contact', token));

export async function loadReminder(serverUrl: string, spaceId: string, token: string): Promise<Reminder | null> {
  try {
    return reminderSchema.parse(await call(serverUrl, 'GET', `/api/spaces/${encodeURIComponent(spaceId)}/reminder`, token));
  } catch (error) {
    if (error instanceof ReceivedError && error.code === 'NOT_FOUND') return null;
    throw error;
  }
}

export const setReminder = async (serverUrl: string, spaceId: string, token: string, choice: ReminderChoice) => reminderSchema.parse(await call(serverUrl, 'PUT', `/api/spaces/${encodeURIComponent(spaceId)}/reminder`, token, choice));
export const removeReminder = async (serverUrl: string, spaceId: string, token: string) => void (await call(serverUrl, 'DELETE', `/api/spaces/${encodeURIComponent(spaceId)}/reminder`, token));

export async function loadCreatorReminder(serverUrl: string, handle: string, token: string) {
  try {
    return creatorReminderSchema.parse(await call(serverUrl, 'GET', `/api/accounts/me/creator-reminders/${encodeURIComponent(handle)}`, token));
  } catch (error) {
    if (error instanceof ReceivedError && error.code === 'NOT_FOUND') return null;
    throw error;
  }
}
export const setCreatorReminder = async (serverUrl: string, handle: string, token: string, choice: ReminderChoice) => creatorReminderSchema.parse(await call(serverUrl, 'PUT', `/api/accounts/me/creator-reminders/${encodeURIComponent(handle)}`, token, choice));
export const removeCreatorReminder = async (serverUrl: string, handle: string, token: string) => void (await call(serverUrl, 'DELETE', `/api/accounts/me/creator-reminders/${encodeURIComponent(handle)}`, token));
export const followCreator = async (serverUrl: string, handle: string, token: string) => void (await call(serverUrl, 'PUT', `/api/accounts/me/following/${encodeURIComponent(handle)}`, token));

/**
 * This browser subscribed to push for the account: registers the service worker (scope /), asks
 * for notification permission and subscribes with the server's VAPID key. Throws a sentence when
 * the browser cannot or the listener said no.
 */
export async function subscribeThisBrowser(serverUrl: string, token: string, vapidPublicKey: string): Promise<void> {
  if (!('serviceWorker' in navigator) || typeof PushManager === 'undefined') throw new Error('This browser cannot show notifications from a web page.');
  const permission = await Notification.requestPermission();
  if (permission !== 'granted') throw new Error('Notifications are blocked for this page: allow them in the browser to get a push reminder.');
  const registration = await navigator.serviceWorker.register('/reminder-sw.js', { scope: '/' });
  await navigator.serviceWorker.ready;
  const key = Uint8Array.from(atob(vapidPublicKey.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
  const subscription = (await registration.pushManager.getSubscription()) ?? (await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key }));
  await call(serverUrl, 'POST', '/api/accounts/me/push-subscriptions', token, subscription.toJSON());
}
