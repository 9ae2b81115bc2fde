/**
 * The listener page of a Space that has not started: its title and host, when it starts in the
 * visitor's own time zone (named), a countdown, or that it was cancelled. It asks the server how
 * the Space is doing (GET /api/spaces/:id) every 15 s, every 5 s in the last five minutes and past
 * the start, each wait jittered so a crowd does not ask in step, backing off to a minute while the
 * server cannot be reached, and slower while the tab is hidden (asking at once when it is shown
 * again). When the Space goes live (or ends,
 * or changes) it hands the new state to `onChange`: the page turns live by itself.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { spaceInfoSchema, wireErrorSchema, type SpaceInfo } from '../../server/signalling/protocol.ts';
import { useAccountStore } from './account/use-account.ts';
import { AccountBar } from './components/account-bar.tsx';
import { ReminderPanel } from './reminders/reminder-panel.tsx';
import './scheduled-space.css';
import { TicketPanel } from './tickets/ticket-panel.tsx';

const SECOND = 1000;
const MINUTE = 60 * SECOND;

/** The wait before asking again: 15 s, 5 s from five minutes before the start, ±20 % jitter; doubled per failure up to 60 s; ×4 in a hidden tab. */
export function nextPollDelay(input: { msToStart: number; failures: number; hidden: boolean; random?: () => number }): number {
  const base = input.msToStart > 5 * MINUTE ? 15 * SECOND : 5 * SECOND;
  const backedOff = Math.min(60 * SECOND, base * 2 ** Math.min(input.failures, 4));
  const slowed = input.hidden ? Math.min(60 * SECOND, backedOff * 4) : backedOff;
  const jitter = 0.8 + 0.4 * (input.random ?? Math.random)();
  return Math.round(slowed * jitter);
}

/**
 * "Starts in 2 days 3 h" · "Starts in 1 h 05 min" · "Starts in 4:09" · "Starting any moment…" · late: "The host has not started yet."
 * A premiere: "Premiere starts in 4:09" · "The premiere starts any moment…" · "The host has not started the premiere yet."
 */
export function countdown(msToStart: number, premiere = false): string {
  if (msToStart <= -15 * MINUTE) return premiere ? 'The host has not started the premiere yet.' : 'The host has not started yet.';
  if (msToStart <= 0) return premiere ? 'The premiere starts any moment…' : 'Starting any moment…';
  const total = Math.ceil(msToStart / SECOND);
  const days = Math.floor(total / 86_400);
  const hours = Math.floor((total % 86_400) / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const starts = premiere ? 'Premiere starts in' : 'Starts in';
  if (days > 0) return `${starts} ${days} ${days === 1 ? 'day' : 'days'}${hours > 0 ? ` ${hours} h` : ''}`;
  if (hours > 0) return `${starts} ${hours} h ${String(minutes).padStart(2, '0')} min`;
  return `${starts} ${minutes}:${String(seconds).padStart(2, '0')}`;
}

/** The start as the visitor reads it: their own zone, named. */
export function startLine(at: Date, options: { locale?: string | undefined; timeZone?: string | undefined } = {}): { when: string; zone: string } {
  const format = new Intl.DateTimeFormat(options.locale, {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    hour: 'numeric',
    minute: '2-digit',
    timeZoneName: 'short',
    ...(options.timeZone ? { timeZone: options.timeZone } : {}),
  });
  return { when: format.format(at), zone: format.resolvedOptions().timeZone };
}

async function loadSpaceInfo(serverUrl: string, spaceId: string, signal: AbortSignal): Promise<SpaceInfo> {
  const response = await fetch(new URL(`/api/spaces/${encodeURIComponent(spaceId)}`, serverUrl), { signal, cache: 'no-store' });
  const body: unknown = await response.json();
  if (!response.ok) throw wireErrorSchema.parse((body as { error?: unknown }).error);
  return spaceInfoSchema.parse(body);
}

function changed(a: SpaceInfo, b: SpaceInfo): boolean {
  return a.status !== b.status || a.title !== b.title || a.scheduledFor !== b.scheduledFor || a.timeZone !== b.timeZone;
}

export type ScheduledSpaceProps = {
  info: SpaceInfo;
  serverUrl: string;
  /** A newer state of the Space (live, ended, edited): the page shows it. */
  onChange: (info: SpaceInfo) => void;
  /** The visitor's zone and locale (the browser's by default; tests set them). */
  timeZone?: string;
  locale?: string;
  /** How the page reads the Space (the server by default). */
  load?: (signal: AbortSignal) => Promise<SpaceInfo>;
};

export function ScheduledSpace({ info, serverUrl, onChange, timeZone, locale, load }: ScheduledSpaceProps) {
  const startsAt = useMemo(() => (info.scheduledFor ? new Date(info.scheduledFor) : null), [info.scheduledFor]);
  const [now, setNow] = useState(() => Date.now());
  const [unreachable, setUnreachable] = useState(false);
  const latest = useRef(info);
  latest.current = info;
  const notify = useRef(onChange);
  notify.current = onChange;
  // One account for the page: signing in to buy a ticket signs the reminder in too, and the bar says who.
  const [accounts, account] = useAccountStore(serverUrl);

  // The countdown ticks once a second while the Space is still to come.
  useEffect(() => {
    if (info.status !== 'scheduled') return;
    const timer = setInterval(() => setNow(Date.now()), SECOND);
    return () => clearInterval(timer);
  }, [info.status]);

  // Ask the server until the Space is no longer scheduled (a cancelled one never comes back).
  useEffect(() => {
    if (info.status !== 'scheduled') return;
    const abort = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let failures = 0;
    const read = load ?? ((signal: AbortSignal) => loadSpaceInfo(serverUrl, info.spaceId, signal));
    const schedule = () => {
      const msToStart = startsAt ? startsAt.getTime() - Date.now() : 0;
      const hidden = typeof document !== 'undefined' && document.visibilityState === 'hidden';
      timer = setTimeout(poll, nextPollDelay({ msToStart, failures, hidden }));
    };
    let asking = false;
    const poll = () => {
      asking = true;
      read(abort.signal).then(
        (fresh) => {
          asking = false;
          if (abort.signal.aborted) return;
          failures = 0;
          setUnreachable(false);
          if (changed(latest.current, fresh)) notify.current(fresh);
          if (fresh.status === 'scheduled') schedule();
        },
        () => {
          asking = false;
          if (abort.signal.aborted) return;
          failures += 1;
          if (failures >= 2) setUnreachable(true);
          schedule();
        },
      );
    };
    schedule();
    // Back in view (a phone unlocked, a tab brought forward): ask at once rather than after the slow hidden-tab wait.
    let lastAsk = 0;
    const onVisible = () => {
      // Not while a read is out: its answer schedules the next one (two would each start a chain of reads).
      if (document.visibilityState !== 'visible' || asking || Date.now() - lastAsk < 2 * SECOND) return;
      lastAsk = Date.now();
      clearTimeout(timer);
      poll();
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      abort.abort();
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [info.status, info.spaceId, serverUrl, startsAt, load]);

  const ticketSpace = useMemo(() => ({ status: info.status, scheduledFor: info.scheduledFor ?? null }), [info.status, info.scheduledFor]);
  const start = startsAt ? startLine(startsAt, { locale, timeZone }) : null;
  const hostZone = info.timeZone && start && info.timeZone !== start.zone ? info.timeZone : null;
  return (
    <div className="listener scheduled-space">
      <div className="panel">
        <p className="kicker">{info.status === 'cancelled' ? 'Cancelled' : 'Scheduled Space'}</p>
        <h1>{info.title}</h1>
        {info.host ? (
          <p className="muted host">
            Hosted by {info.host.displayName} <span className="handle">@{info.host.handle}</span>
          </p>
        ) : null}
        {info.status === 'cancelled' ? (
          <>
            <p className="state" role="status" data-phase="cancelled">
              The host cancelled this Space.
            </p>
            {/* A ticket holder reads what became of their ticket (refunded); anyone else reads nothing more. */}
            <TicketPanel serverUrl={serverUrl} spaceId={info.spaceId} space={ticketSpace} accounts={accounts} account={account} />
          </>
        ) : (
          <>
            {start && startsAt ? (
              <p className="starts">
                <time dateTime={startsAt.toISOString()}>{start.when}</time>
                <span className="zone">
                  your time ({start.zone}){hostZone && startsAt ? ` · ${startLine(startsAt, { locale, timeZone: hostZone }).when} for the host (${hostZone})` : ''}
                </span>
              </p>
            ) : null}
            <p className="countdown" role="timer" aria-live="off">
              {countdown(startsAt ? startsAt.getTime() - now : 0, info.premiere === true)}
            </p>
            <p className="state" role="status" data-phase="scheduled">
              {unreachable ? 'The server cannot be reached right now; trying again…' : 'This page turns live by itself when the host starts.'}
            </p>
            <TicketPanel serverUrl={serverUrl} spaceId={info.spaceId} space={ticketSpace} accounts={accounts} account={account} />
            <ReminderPanel serverUrl={serverUrl} spaceId={info.spaceId} hostHandle={info.host?.handle ?? null} accounts={accounts} account={account} />
          </>
        )}
        {account.status === 'signed-in' ? <AccountBar account={account} onSignIn={() => undefined} onSignOut={() => void accounts.signOut()} /> : null}
      </div>
      <p className="brand">Spacecraft</p>
    </div>
  );
}
