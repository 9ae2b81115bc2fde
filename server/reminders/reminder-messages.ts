/**
 * What a reminder says: the e-mail (subject, text, HTML) and the push notification, with the start
 * in the recipient's time zone, the link to the Space and the unsubscribe link. HTML is escaped.
 */
import { startInZone, whenLine } from '../domain/reminders.ts';

export type ReminderSpace = { id: string; title: string; hostName: string; startsAt: Date; link: string };
export type Timing = { startedMinutesAgo: number | null; minutesToStart: number | null };

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function reminderEmail(space: ReminderSpace, timing: Timing, recipient: { timeZone: string; unsubscribeUrl: string }): { subject: string; text: string; html: string } {
  const when = whenLine(timing);
  const at = startInZone(space.startsAt, recipient.timeZone);
  const subject = `${space.title} ${when}`;
  const text = [
    `"${space.title}" by ${space.hostName} ${when}.`,
    `Start: ${at}`,
    `Listen: ${space.link}`,
    '',
    'The Space is attached as a calendar entry (space.ics).',
    `You get this because you set a reminder on Spacecraft. Stop these e-mails: ${recipient.unsubscribeUrl}`,
  ].join('\n');
  const html = `<!doctype html><html><body>
<p><strong>${escapeHtml(space.title)}</strong> by ${escapeHtml(space.hostName)} ${escapeHtml(when)}.</p>
<p>Start: ${escapeHtml(at)}</p>
<p><a href="${escapeHtml(space.link)}">Listen to the Space</a></p>
<p style="color:#666;font-size:12px">You get this because you set a reminder on Spacecraft. <a href="${escapeHtml(recipient.unsubscribeUrl)}">Unsubscribe</a></p>
</body></html>`;
  return { subject, text, html };
}

export function calendarEmail(space: ReminderSpace, change: 'added' | 'moved' | 'cancelled', recipient: { timeZone: string; unsubscribeUrl: string }): { subject: string; text: string; html: string } {
  const at = startInZone(space.startsAt, recipient.timeZone);
  const subject = change === 'cancelled' ? `Cancelled: ${space.title}` : change === 'moved' ? `Updated: ${space.title} — ${at}` : `${space.title} — ${at}`;
  const lead = change === 'cancelled' ? `"${space.title}" by ${space.hostName} was cancelled.` : change === 'moved' ? `"${space.title}" by ${space.hostName} changed: it now starts ${at}.` : `"${space.title}" by ${space.hostName} starts ${at}.`;
  const text = [lead, `Space: ${space.link}`, '', `Stop these e-mails: ${recipient.unsubscribeUrl}`].join('\n');
  const html = `<!doctype html><html><body><p>${escapeHtml(lead)}</p><p><a href="${escapeHtml(space.link)}">The Space</a></p>
<p style="color:#666;font-size:12px"><a href="${escapeHtml(recipient.unsubscribeUrl)}">Unsubscribe</a></p></body></html>`;
  return { subject, text, html };
}

export function reminderPush(space: ReminderSpace, timing: Timing): { title: string; body: string; url: string; tag: string } {
  return { title: space.title, body: `${space.hostName}'s Space ${whenLine(timing)}. Tap to listen.`, url: space.link, tag: `space-${space.id}` };
}
