// @vitest-environment happy-dom
/** The now-playing card: what it shows, its progress moving by the page's clock while playing (held while paused), and what it announces. */
import { act, cleanup, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ListenerNowPlaying } from '../listener-session.ts';
import { clockOf, NowPlayingCard } from './now-playing.tsx';

const ART = 'data:image/jpeg;base64,AAAA';
const track = (patch: Partial<ListenerNowPlaying> = {}): ListenerNowPlaying => ({
  id: 't1',
  title: 'Night Drive',
  artist: 'The Tones',
  artwork: ART,
  durationMs: 200_000,
  positionMs: 60_000,
  playing: true,
  at: 1,
  receivedAt: 1_000_000,
  ...patch,
});

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(1_000_000);
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

const progress = () => screen.getByRole('progressbar', { name: 'Track progress' });

describe('now-playing card', () => {
  it('shows the artwork, title, artist and where the track is', () => {
    render(<NowPlayingCard track={track()} />);
    const card = screen.getByRole('region', { name: 'Now playing' });
    expect(card.querySelector('img')?.getAttribute('src')).toBe(ART);
    expect(screen.getByText('Night Drive')).toBeTruthy();
    expect(screen.getByText('The Tones')).toBeTruthy();
    expect(progress().getAttribute('aria-valuenow')).toBe('60');
    expect(progress().getAttribute('aria-valuemax')).toBe('200');
    expect(progress().getAttribute('aria-valuetext')).toBe('1:00 of 3:20');
  });

  it('moves the progress by the page’s clock while playing, never past the end', async () => {
    render(<NowPlayingCard track={track()} />);
    await act(async () => vi.advanceTimersByTimeAsync(5_000));
    expect(progress().getAttribute('aria-valuenow')).toBe('65');
    expect(screen.getByRole('region', { name: 'Now playing' }).dataset['positionMs']).toBe('65000');
    await act(async () => vi.advanceTimersByTimeAsync(500_000));
    expect(progress().getAttribute('aria-valuenow')).toBe('200');
  });

  it('holds still while paused and says so', async () => {
    render(<NowPlayingCard track={track({ playing: false })} />);
    await act(async () => vi.advanceTimersByTimeAsync(10_000));
    expect(progress().getAttribute('aria-valuenow')).toBe('60');
    expect(progress().getAttribute('aria-valuetext')).toBe('1:00 of 3:20, paused');
    expect(screen.getByText('Paused')).toBeTruthy();
    expect(screen.getByRole('region', { name: 'Now playing' }).dataset['playing']).toBe('false');
  });

  it('announces the track politely (never the ticking time), and a new track when it changes', () => {
    const { rerender } = render(<NowPlayingCard track={track()} />);
    const live = document.querySelector('[aria-live="polite"]')!;
    expect(live.textContent).toBe('Now playing: Night Drive by The Tones');
    expect(progress().getAttribute('aria-live')).toBeNull();
    rerender(<NowPlayingCard track={track({ id: 't2', title: 'Morning Light', artist: '', artwork: null, positionMs: 0 })} />);
    expect(live.textContent).toBe('Now playing: Morning Light');
    expect(screen.getByRole('region', { name: 'Now playing' }).querySelector('img')).toBeNull();
  });

  it('writes times as m:ss and h:mm:ss', () => {
    expect(clockOf(0)).toBe('0:00');
    expect(clockOf(61_999)).toBe('1:01');
    expect(clockOf(3_723_000)).toBe('1:02:03');
  });
});
