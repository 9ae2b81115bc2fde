/**
 * "Remind me" on a scheduled Space's page: the channels (e-mail, this browser's notifications, the
 * calendar), optionally also N minutes before, the address for e-mail, remove; and, for followers,
 * "every Space @host schedules". Without SMTP on the server, e-mail and calendar say so and cannot
 * be chosen; the calendar file can always be downloaded.
 */
import { useCallback, useEffect, useState } from 'react';
import { ErrorAlert } from '../../lib/error-alert.tsx';
import type { AccountSnapshot, AccountStore } from '../account/account-store.ts';
import { useAccountStore } from '../account/use-account.ts';
import { SignInForm } from '../components/sign-in-form.tsx';
import {
  followCreator,
  loadContact,
  loadCreatorReminder,
  loadReminder,
  loadSettings,
  removeCreatorReminder,
  removeReminder,
  setCreatorReminder,
  setReminder,
  subscribeThisBrowser,
  type Channel,
  type Reminder,
  type ReminderSettings,
} from './reminder-api.ts';

export const LEAD_CHOICES = [null, 5, 15, 30, 60] as const;
const LABELS: Record<Channel, string> = { email: 'E-mail', push: 'Notification in this browser', calendar: 'My calendar (updates by e-mail)' };

export function StandaloneReminderPanel({ serverUrl, spaceId, hostHandle }: { serverUrl: string; spaceId: string; hostHandle: string | null }) {
  const [accounts, account] = useAccountStore(serverUrl);
  return <ReminderPanel serverUrl={serverUrl} spaceId={spaceId} hostHandle={hostHandle} accounts={accounts} account={account} />;
}

export function ReminderPanel({ serverUrl, spaceId, hostHandle, accounts, account }: { serverUrl: string; spaceId: string; hostHandle: string | null; accounts: AccountStore; account: AccountSnapshot }) {
  const token = account.status === 'signed-in' ? account.token : null;
  const [settings, setSettings] = useState<ReminderSettings | null>(null);
  const [reminder, setCurrent] = useState<Reminder | null>(null);
  const [channels, setChannels] = useState<Channel[]>(['push']);
  const [minutesBefore, setMinutesBefore] = useState<number | null>(null);
  const [email, setEmail] = useState('');
  const [everySpace, setEverySpace] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [signingIn, setSigningIn] = useState(false);

  const refresh = useCallback(async () => {
    // Signed out, the panel asks nothing (a crowd on the page costs the server no extra request).
    if (!token) return;
    setSettings(await loadSettings(serverUrl));
    const [current, contact, creator] = await Promise.all([loadReminder(serverUrl, spaceId, token), loadContact(serverUrl, token), hostHandle ? loadCreatorReminder(serverUrl, hostHandle, token) : Promise.resolve(null)]);
    setCurrent(current);
    if (current) {
      setChannels(current.channels);
      setMinutesBefore(current.minutesBefore);
    }
    if (contact.email) setEmail(contact.email);
    setEverySpace(creator !== null);
  }, [serverUrl, spaceId, token, hostHandle]);

  useEffect(() => {
    if (account.status === 'checking') return;
    refresh().catch(setError);
  }, [account.status, refresh]);

  if (signingIn) return <SignInForm store={accounts} reason="Sign in to set a reminder: it belongs to your account." onDone={() => setSigningIn(false)} onCancel={() => setSigningIn(false)} />;

  const calendarLink = `/api/spaces/${encodeURIComponent(spaceId)}/calendar.ics`;
  if (!token) {
    return (
      <section className="reminder-panel" aria-label="Reminder">
        <button type="button" onClick={() => setSigningIn(true)}>
          Remind me
        </button>{' '}
        <a href={calendarLink}>Add to calendar (.ics)</a>
      </section>
    );
  }

  const mailOk = settings?.emailConfigured ?? false;
  const needsEmail = channels.includes('email') || channels.includes('calendar');
  const toggle = (channel: Channel) => setChannels((list) => (list.includes(channel) ? list.filter((c) => c !== channel) : [...list, channel]));
  const run = (action: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    action()
      .then(refresh)
      .catch(setError)
      .finally(() => setBusy(false));
  };
  const save = () =>
    run(async () => {
      if (channels.includes('push') && settings) await subscribeThisBrowser(serverUrl, token, settings.vapidPublicKey);
      const choice = { channels, minutesBefore, timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone, ...(needsEmail && email ? { email } : {}) };
      await setReminder(serverUrl, spaceId, token, choice);
      if (hostHandle) {
        if (everySpace) {
          await followCreator(serverUrl, hostHandle, token);
          await setCreatorReminder(serverUrl, hostHandle, token, choice);
        } else {
          await removeCreatorReminder(serverUrl, hostHandle, token);
        }
      }
    });

  return (
    <section className="reminder-panel" aria-label="Reminder">
      <h2>{reminder ? 'Your reminder' : 'Remind me'}</h2>
      <fieldset disabled={busy}>
        {(['push', 'email', 'calendar'] as const).map((channel) => {
          const unavailable = channel !== 'push' && !mailOk;
          return (
            <label key={channel} className={unavailable ? 'unavailable' : undefined}>
              <input type="checkbox" name={`channel-${channel}`} checked={channels.includes(channel) && !unavailable} disabled={unavailable} onChange={() => toggle(channel)} /> {LABELS[channel]}
              {unavailable ? <span className="muted"> — e-mail is not configured on this server</span> : null}
            </label>
          );
        })}
        {needsEmail && mailOk ? (
          <label>
            E-mail address <input type="email" name="email" value={email} autoComplete="email" onChange={(event) => setEmail(event.target.value)} />
          </label>
        ) : null}
        <label>
          Also remind me{' '}
          <select name="minutes-before" value={minutesBefore ?? ''} onChange={(event) => setMinutesBefore(event.target.value ? Number(event.target.value) : null)}>
            {LEAD_CHOICES.map((m) => (
              <option key={m ?? 'none'} value={m ?? ''}>
                {m === null ? 'only when it starts' : `${m} minutes before`}
              </option>
            ))}
          </select>
        </label>
        {hostHandle ? (
          <label>
            <input type="checkbox" name="every-space" checked={everySpace} onChange={() => setEverySpace((v) => !v)} /> Every Space @{hostHandle} schedules (follows them)
          </label>
        ) : null}
        <button type="button" onClick={save} disabled={channels.filter((c) => c === 'push' || mailOk).length === 0}>
          {reminder ? 'Update reminder' : 'Set reminder'}
        </button>
        {reminder ? (
          <button type="button" onClick={() => run(() => removeReminder(serverUrl, spaceId, token))}>
            Remove reminder
          </button>
        ) : null}
      </fieldset>
      <p>
        <a href={calendarLink}>Add to calendar (.ics)</a>
      </p>
      {reminder ? (
        <p role="status" className="muted">
          You will be reminded by {reminder.channels.join(', ')}
          {reminder.minutesBefore ? `, ${reminder.minutesBefore} minutes before and` : ''} when it starts.
        </p>
      ) : null}
      <ErrorAlert error={error} />
    </section>
  );
}
