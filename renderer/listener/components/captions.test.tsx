// @vitest-environment happy-dom
/** Listener captions: lines with speaker names, revisions in place, on/off, size and contrast kept, pausing the view with "jump to live", the polite live region, and why captions are paused. */
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CaptionFeed } from '../lib/caption-feed.ts';
import { readPrefs, SessionCaptions, TranscriptLinks } from './captions.tsx';

const line = (id: number, text: string, revision = 0, speaker = 'Ada') => ({ id, speaker, text, startMs: id * 1000, endMs: id * 1000 + 900, revision });
const lines = () => [...document.querySelectorAll('.cap-lines li:not(.cap-empty)')].map((li) => li.textContent);
const region = () => document.querySelector('[aria-live="polite"]')!;

beforeEach(() => localStorage.clear());
afterEach(cleanup);

describe('caption feed', () => {
  it('keeps captions in order, replaces a caption by its newer revision, ignores an older one', () => {
    const feed = new CaptionFeed();
    feed.add(line(2, 'second'));
    feed.add(line(1, 'first'));
    feed.add(line(2, 'second, corrected', 1));
    feed.add(line(2, 'stale', 0));
    expect(feed.snapshot.captions.map((c) => c.text)).toEqual(['first', 'second, corrected']);
  });
});

describe('listener captions', () => {
  it('shows each line with its speaker and reads the newest politely', () => {
    const feed = new CaptionFeed();
    render(<SessionCaptions feed={feed} />);
    expect(screen.getByText('Captions appear here as people speak.')).toBeTruthy();
    act(() => {
      feed.add(line(1, 'hello there'));
      feed.add(line(2, 'welcome', 0, 'Bo'));
    });
    expect(lines()).toEqual(['Ada: hello there', 'Bo: welcome']);
    expect(region().textContent).toBe('Bo: welcome');
    act(() => feed.add(line(1, 'Hello there!', 1)));
    expect(lines()).toEqual(['Ada: Hello there!', 'Bo: welcome']);
  });

  it('pauses the view to read, counts what came meanwhile, and jumps back to live', () => {
    const feed = new CaptionFeed();
    render(<SessionCaptions feed={feed} />);
    act(() => feed.add(line(1, 'one')));
    fireEvent.click(screen.getByRole('button', { name: 'Pause captions' }));
    act(() => {
      feed.add(line(2, 'two'));
      feed.add(line(3, 'three'));
    });
    expect(lines()).toEqual(['Ada: one']);
    expect(region().textContent).toBe('');
    fireEvent.click(screen.getByRole('button', { name: 'Jump to live (2 new)' }));
    expect(lines()).toEqual(['Ada: one', 'Ada: two', 'Ada: three']);
    expect(region().textContent).toBe('Ada: three');
  });

  it('turns off, changes size and contrast, and keeps the choice on this device', () => {
    const feed = new CaptionFeed();
    const { unmount } = render(<SessionCaptions feed={feed} />);
    act(() => feed.add(line(1, 'one')));
    fireEvent.change(screen.getByLabelText('Size'), { target: { value: 'large' } });
    fireEvent.click(screen.getByRole('button', { name: 'High contrast' }));
    const section = screen.getByRole('region', { name: 'Captions' });
    expect([section.dataset.size, section.dataset.contrast]).toEqual(['large', 'true']);
    fireEvent.click(screen.getByRole('button', { name: 'Captions on' }));
    expect(lines()).toEqual([]);
    expect(region().textContent).toBe('');
    unmount();
    expect(readPrefs()).toEqual({ on: false, size: 'large', contrast: true });
    expect(readPrefs({ getItem: () => '{"on":"yes","size":"huge"}' })).toEqual({ on: true, size: 'medium', contrast: false });
    expect(readPrefs({ getItem: () => 'not json' })).toEqual({ on: true, size: 'medium', contrast: false });
  });

  it('says why captions are paused or missing', () => {
    const feed = new CaptionFeed();
    render(<SessionCaptions feed={feed} />);
    act(() => feed.setStatus({ available: true, pausedBy: 'premiere', holdBackMs: 2000, problem: null }));
    expect(screen.getByText('Captions pause while music plays.')).toBeTruthy();
    act(() => feed.setStatus({ available: true, pausedBy: 'host', holdBackMs: 2000, problem: null }));
    expect(screen.getByText('The host paused captions.')).toBeTruthy();
    act(() => feed.setStatus({ available: false, pausedBy: null, holdBackMs: 2000, problem: 'engine gone' }));
    expect(screen.getByText('Captions are not available in this Space right now.')).toBeTruthy();
  });

  it('links the Space’s transcript as WebVTT and SRT on its server', () => {
    render(<TranscriptLinks serverUrl="https://spaces.example" spaceId="abc_1" />);
    expect(screen.getByRole('link', { name: 'WebVTT' }).getAttribute('href')).toBe('https://spaces.example/api/spaces/abc_1/transcript.vtt');
    expect(screen.getByRole('link', { name: 'SRT' }).getAttribute('href')).toBe('https://spaces.example/api/spaces/abc_1/transcript.srt');
  });

  it('signed in, fetches the transcript with the session, and says a refusal (a ticketed Space without the ticket)', async () => {
    const asked: Array<{ url: string; authorization: string | null }> = [];
    vi.stubGlobal('fetch', async (url: string, init?: RequestInit) => {
      asked.push({ url, authorization: new Headers(init?.headers).get('authorization') });
      return Response.json({ error: { code: 'PERMISSION_DENIED', message: 'This is a ticketed Space: sign in with your ticket to read its transcript.' } }, { status: 403 });
    });
    try {
      render(<TranscriptLinks serverUrl="https://spaces.example" spaceId="abc_1" token="listener-session" />);
      fireEvent.click(screen.getByRole('link', { name: 'SRT' }));
      expect((await screen.findByRole('alert')).textContent).toContain('sign in with your ticket');
    } finally {
      vi.unstubAllGlobals();
    }
    expect(asked).toEqual([{ url: 'https://spaces.example/api/spaces/abc_1/transcript.srt', authorization: 'Bearer listener-session' }]);
  });
});
