/**
 * Tells the host before their Space starts: a desktop notification (the web Notifications API: in
 * Electron the renderer's `Notification` is the system's own; in browser mode the browser's), and a
 * banner in the studio with "Go live now", which opens the Space ready to go live. The lead time is
 * the host's choice (kept in this studio's local storage).
 */
import { useEffect, useRef, useState } from 'react';
import type { SpaceJson } from '../../../../../electron/contract.ts';
import { DEFAULT_HOST_LEAD_MINUTES, dueHostReminders, HOST_LEAD_CHOICES, hostReminderText, type HostReminder } from '../lib/host-reminder.ts';

const LEAD_KEY = 'spacecraft.hostReminderLeadMinutes';
const CHECK_MS = 15_000;
const realNow = () => Date.now();

function storedLead(): number {
  const value = Number(globalThis.localStorage?.getItem(LEAD_KEY));
  return (HOST_LEAD_CHOICES as readonly number[]).includes(value) ? value : DEFAULT_HOST_LEAD_MINUTES;
}

function notify(reminder: HostReminder, onClick: () => void): void {
  if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
  const notification = new Notification('Your Space is about to start', { body: hostReminderText(reminder), tag: reminder.key });
  notification.onclick = () => {
    globalThis.focus?.();
    onClick();
  };
}

export function HostReminders({ spaces, onGoLive, canGoLive, now = realNow }: { spaces: readonly SpaceJson[]; onGoLive: (space: SpaceJson) => void; canGoLive: boolean; now?: () => number }) {
  const [lead, setLead] = useState(storedLead);
  const [banners, setBanners] = useState<HostReminder[]>([]);
  const [permission, setPermission] = useState(() => (typeof Notification === 'undefined' ? 'unsupported' : Notification.permission));
  const told = useRef(new Set<string>());
  const goLive = useRef(onGoLive);
  goLive.current = onGoLive;

  useEffect(() => {
    const check = () => {
      const due = dueHostReminders(spaces, now(), lead, told.current);
      if (due.length === 0) return;
      for (const reminder of due) {
        told.current.add(reminder.key);
        notify(reminder, () => goLive.current(reminder.space));
      }
      setBanners((list) => [...list, ...due]);
    };
    check();
    const timer = setInterval(check, CHECK_MS);
    return () => clearInterval(timer);
  }, [spaces, lead, now]);

  const showing = banners.filter((b) => spaces.some((s) => s.status === 'scheduled' && `${s.id}@${s.scheduledFor ?? ''}` === b.key));
  return (
    <div className="host-reminders">
      {showing.map((reminder) => (
        <div key={reminder.key} className="notice" role="alert">
          <span>{hostReminderText(reminder)}</span>{' '}
          <button type="button" className="primary" disabled={!canGoLive} onClick={() => onGoLive(reminder.space)}>
            Go live now
          </button>{' '}
          <button type="button" onClick={() => setBanners((list) => list.filter((b) => b.key !== reminder.key))}>
            Dismiss
          </button>
        </div>
      ))}
      <p className="hint">
        <label>
          Remind me{' '}
          <select
            name="host-reminder-lead"
            value={lead}
            onChange={(event) => {
              const value = Number(event.target.value);
              setLead(value);
              globalThis.localStorage?.setItem(LEAD_KEY, String(value));
            }}
          >
            {HOST_LEAD_CHOICES.map((m) => (
              <option key={m} value={m}>
                {m} minutes
              </option>
            ))}
          </select>{' '}
          before my Spaces start
        </label>
        {permission === 'default' ? (
          <>
            {' '}
            <button type="button" onClick={() => void Notification.requestPermission().then(setPermission)}>
              Turn on desktop notifications
            </button>
          </>
        ) : null}
        {permission === 'denied' ? ' (desktop notifications are blocked: the reminder shows here only)' : null}
      </p>
    </div>
  );
}
