// @vitest-environment happy-dom
/** A scheduled Space's page: the start in the visitor's zone, a countdown, cancelled, and turning live by itself. */
import { act, cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SpaceInfo } from '../../server/signalling/protocol.ts';
import { countdown, nextPollDelay, ScheduledSpace, startLine } from './scheduled-space.tsx';

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

const START = new Date('2026-12-01T09:00:00Z');

function scheduled(patch: Partial<SpaceInfo> = {}): SpaceInfo {
  return {
    spaceId: 'abc123',
    title: 'Morning show',
    status: 'scheduled',
    listenerCount: 0,
    hostConnected: false,
    hostMuted: false,
    hostProducerId: null,
    stage: [],
    routerRtpCapabilities: null,
    scheduledFor: START.toISOString(),
    timeZone: 'Europe/Paris',
    host: { handle: 'ada', displayName: 'Ada Lovelace' },
    ...patch,
  };
}

describe('scheduled Space helpers', () => {
  it('counts down in days, hours, minutes and seconds', () => {
    expect(countdown(2 * 86_400_000 + 3 * 3600_000 + 5000)).toBe('Starts in 2 days 3 h');
    expect(countdown(86_400_000)).toBe('Starts in 1 day');
    expect(countdown(3600_000 + 5 * 60_000)).toBe('Starts in 1 h 05 min');
    expect(countdown(4 * 60_000 + 9000)).toBe('Starts in 4:09');
    expect(countdown(400)).toBe('Starts in 0:01');
    expect(countdown(0)).toBe('Starting any moment…');
    expect(countdown(-5000)).toBe('Starting any moment…');
    expect(countdown(-15 * 60_000)).toBe('The host has not started yet.');
  });

  it('says "Premiere" for a premiere', () => {
    expect(countdown(3600_000 + 5 * 60_000, true)).toBe('Premiere starts in 1 h 05 min');
    expect(countdown(2 * 86_400_000, true)).toBe('Premiere starts in 2 days');
    expect(countdown(4 * 60_000 + 9000, true)).toBe('Premiere starts in 4:09');
    expect(countdown(0, true)).toBe('The premiere starts any moment…');
    expect(countdown(-15 * 60_000, true)).toBe('The host has not started the premiere yet.');
  });

  it('asks every 15 s, every 5 s near the start, with jitter, backing off while the server is away', () => {
    const at = (random: number, msToStart: number, failures = 0, hidden = false) => nextPollDelay({ msToStart, failures, hidden, random: () => random });
    expect(at(0.5, 3600_000)).toBe(15_000);
    expect([at(0, 3600_000), at(1, 3600_000)]).toEqual([12_000, 18_000]);
    expect(at(0.5, 4 * 60_000)).toBe(5000);
    expect(at(0.5, -60_000)).toBe(5000);
    expect(at(0.5, 4 * 60_000, 1)).toBe(10_000);
    expect(at(0.5, 4 * 60_000, 10)).toBe(60_000);
    expect(at(0.5, 3600_000, 0, true)).toBe(60_000);
  });

  it('writes the start in the visitor’s own zone, and names it', () => {
    expect(startLine(START, { locale: 'en-US', timeZone: 'Asia/Tokyo' })).toEqual({ when: 'Tuesday, December 1 at 6:00 PM GMT+9', zone: 'Asia/Tokyo' });
    expect(startLine(START, { locale: 'en-US', timeZone: 'America/Los_Angeles' })).toEqual({ when: 'Tuesday, December 1 at 1:00 AM PST', zone: 'America/Los_Angeles' });
  });
});

describe('the scheduled Space page', () => {
  it('shows title, host, the start in the visitor’s zone (and the host’s), and a live countdown', async () => {
    vi.useFakeTimers({ now: START.getTime() - (2 * 3600_000 + 5 * 60_000) });
    const load = vi.fn(() => Promise.resolve(scheduled()));
    render(<ScheduledSpace info={scheduled()} serverUrl="http://server" onChange={() => {}} timeZone="Asia/Tokyo" locale="en-US" load={load} />);
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Morning show');
    expect(screen.getByText(/Hosted by Ada Lovelace/).textContent).toBe('Hosted by Ada Lovelace @ada');
    const time = document.querySelector('time')!;
    expect(time.textContent).toBe('Tuesday, December 1 at 6:00 PM GMT+9');
    expect(time.getAttribute('datetime')).toBe(START.toISOString());
    expect(screen.getByText(/your time/).textContent).toBe('your time (Asia/Tokyo) · Tuesday, December 1 at 10:00 AM GMT+1 for the host (Europe/Paris)');
    expect(screen.getByRole('timer').textContent).toBe('Starts in 2 h 05 min');
    await act(() => vi.advanceTimersByTimeAsync(2 * 3600_000 + 60_000));
    expect(screen.getByRole('timer').textContent).toBe('Starts in 4:00');
    // It asked the server all along (every 12–18 s, then every 4–6 s).
    expect(load.mock.calls.length).toBeGreaterThan(400);
  });

  it('counts down to a premiere as a premiere', async () => {
    vi.useFakeTimers({ now: START.getTime() - (2 * 3600_000 + 5 * 60_000) });
    render(<ScheduledSpace info={scheduled({ premiere: true })} serverUrl="http://server" onChange={() => {}} timeZone="Asia/Tokyo" locale="en-US" load={() => Promise.resolve(scheduled({ premiere: true }))} />);
    expect(screen.getByRole('timer').textContent).toBe('Premiere starts in 2 h 05 min');
  });

  it('turns live by itself: the first answer that is not scheduled goes to onChange, and asking stops', async () => {
    vi.useFakeTimers({ now: START.getTime() - 30_000 });
    const answers = [scheduled(), scheduled(), scheduled({ status: 'live', listenerCount: 3 })];
    const load = vi.fn(() => Promise.resolve(answers.shift() ?? scheduled({ status: 'live' })));
    const onChange = vi.fn();
    render(<ScheduledSpace info={scheduled()} serverUrl="http://server" onChange={onChange} load={load} />);
    await act(() => vi.advanceTimersByTimeAsync(60_000));
    expect(onChange).toHaveBeenCalledTimes(1);
    expect(onChange.mock.calls[0]![0]).toMatchObject({ status: 'live', listenerCount: 3 });
    expect(load).toHaveBeenCalledTimes(3);
  });

  it('passes on an edit (a new time) while still scheduled', async () => {
    vi.useFakeTimers({ now: START.getTime() - 3600_000 });
    const later = new Date(START.getTime() + 3600_000).toISOString();
    const onChange = vi.fn();
    render(<ScheduledSpace info={scheduled()} serverUrl="http://server" onChange={onChange} load={() => Promise.resolve(scheduled({ scheduledFor: later }))} />);
    await act(() => vi.advanceTimersByTimeAsync(20_000));
    expect(onChange.mock.calls[0]![0]).toMatchObject({ status: 'scheduled', scheduledFor: later });
  });

  it('asks at once when the tab is shown again (not after the hidden tab’s slow wait), at most once per two seconds', async () => {
    vi.useFakeTimers({ now: START.getTime() - 3600_000 });
    const later = new Date(START.getTime() + 3600_000).toISOString();
    const load = vi.fn(() => Promise.resolve(scheduled({ scheduledFor: later })));
    const onChange = vi.fn();
    render(<ScheduledSpace info={scheduled()} serverUrl="http://server" onChange={onChange} load={load} />);
    await act(() => vi.advanceTimersByTimeAsync(1000));
    expect(load).not.toHaveBeenCalled();
    await act(async () => {
      document.dispatchEvent(new Event('visibilitychange'));
      document.dispatchEvent(new Event('visibilitychange'));
      await vi.advanceTimersByTimeAsync(0);
    });
    expect(load).toHaveBeenCalledTimes(1);
    expect(onChange.mock.calls[0]![0]).toMatchObject({ scheduledFor: later });
  });

  it('shown again while a read is out, starts no second chain of reads', async () => {
    vi.useFakeTimers({ now: START.getTime() - 3600_000 });
    let answer: (info: SpaceInfo) => void = () => undefined;
    const load = vi.fn(() => new Promise<SpaceInfo>((resolve) => (answer = resolve)));
    render(<ScheduledSpace info={scheduled()} serverUrl="http://server" onChange={() => {}} load={load} />);
    await act(() => vi.advanceTimersByTimeAsync(20_000));
    expect(load).toHaveBeenCalledTimes(1);
    await act(async () => {
      vi.setSystemTime(Date.now() + 5000);
      document.dispatchEvent(new Event('visibilitychange'));
      answer(scheduled());
      await vi.advanceTimersByTimeAsync(0);
    });
    expect(load).toHaveBeenCalledTimes(1);
    // One chain: a read every 12–18 s, so at most 7 in the next 90 s.
    load.mockImplementation(() => Promise.resolve(scheduled()));
    await act(() => vi.advanceTimersByTimeAsync(90_000));
    expect(load.mock.calls.length).toBeLessThanOrEqual(8);
  });

  it('says when the server cannot be reached, and keeps trying with longer waits', async () => {
    vi.useFakeTimers({ now: START.getTime() - 3600_000 });
    const load = vi.fn(() => Promise.reject(new Error('offline')));
    render(<ScheduledSpace info={scheduled()} serverUrl="http://server" onChange={() => {}} load={load} />);
    expect(screen.getByRole('status').textContent).toBe('This page turns live by itself when the host starts.');
    await act(() => vi.advanceTimersByTimeAsync(10 * 60_000));
    expect(screen.getByRole('status').textContent).toBe('The server cannot be reached right now; trying again…');
    // 15 s, 30 s, 60 s, 60 s…: about a dozen tries in ten minutes, not forty.
    expect(load.mock.calls.length).toBeGreaterThan(5);
    expect(load.mock.calls.length).toBeLessThan(16);
  });

  it('says a cancelled Space was cancelled, and never asks again', async () => {
    vi.useFakeTimers({ now: START.getTime() - 3600_000 });
    const load = vi.fn(() => Promise.resolve(scheduled()));
    render(<ScheduledSpace info={scheduled({ status: 'cancelled' })} serverUrl="http://server" onChange={() => {}} load={load} />);
    expect(screen.getByRole('status').textContent).toBe('The host cancelled this Space.');
    expect(screen.queryByRole('timer')).toBeNull();
    await act(() => vi.advanceTimersByTimeAsync(5 * 60_000));
    expect(load).not.toHaveBeenCalled();
  });

  it('reads the Space from the server by default', async () => {
    vi.useFakeTimers({ now: START.getTime() - 60_000 });
    // The page's panels (tickets, reminders) ask for their own things too: only the Space's own address counts here.
    const spaceUrl = 'http://server/api/spaces/abc123';
    const fetchMock = vi.fn((url: URL | string) =>
      Promise.resolve(
        String(url) === spaceUrl
          ? new Response(JSON.stringify(scheduled({ status: 'live' })), { status: 200, headers: { 'content-type': 'application/json' } })
          : new Response(JSON.stringify({ error: { code: 'NOT_FOUND', message: 'Not here.' } }), { status: 404, headers: { 'content-type': 'application/json' } }),
      ),
    );
    vi.stubGlobal('fetch', fetchMock);
    const onChange = vi.fn();
    try {
      render(<ScheduledSpace info={scheduled()} serverUrl="http://server" onChange={onChange} />);
      await act(() => vi.advanceTimersByTimeAsync(10_000));
    } finally {
      vi.unstubAllGlobals();
    }
    expect(fetchMock.mock.calls.filter(([url]) => String(url) === spaceUrl)).toHaveLength(1);
    expect(onChange.mock.calls[0]![0]).toMatchObject({ status: 'live' });
  });
});
