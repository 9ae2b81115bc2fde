// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SpaceJson } from '../../../../../electron/contract.ts';
import { dueHostReminders, hostReminderText } from '../lib/host-reminder.ts';
import { HostReminders } from './host-reminders.tsx';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  localStorage.clear();
});

const START = Date.parse('2026-12-01T17:30:00.000Z');
const space = (over: Partial<SpaceJson> = {}): SpaceJson => ({ id: 'sp1', title: 'Album night', status: 'scheduled', scheduledFor: new Date(START).toISOString(), timeZone: 'UTC', startedAt: null, endedAt: null, endReason: null, createdAt: '2026-11-27T10:00:00.000Z', link: 'http://127.0.0.1:4400/s/sp1', ...over });

describe('which Spaces the host is told about', () => {
  it('tells once, from the lead time before the start until 15 minutes after, and again for a moved Space', () => {
    const told = new Set<string>();
    expect(dueHostReminders([space()], START - 11 * 60_000, 10, told)).toEqual([]);
    const due = dueHostReminders([space()], START - 10 * 60_000, 10, told);
    expect(due.map((d) => [d.space.id, d.minutesToStart])).toEqual([['sp1', 10]]);
    expect(hostReminderText(due[0]!)).toBe('“Album night” starts in 10 minutes.');
    told.add(due[0]!.key);
    expect(dueHostReminders([space()], START - 5 * 60_000, 10, told)).toEqual([]);
    expect(dueHostReminders([space({ scheduledFor: new Date(START + 3600_000).toISOString() })], START + 3600_000 - 60_000, 10, told)).toHaveLength(1);
    expect(dueHostReminders([space()], START + 16 * 60_000, 10, new Set())).toEqual([]);
    expect(dueHostReminders([space({ status: 'live' })], START, 10, new Set())).toEqual([]);
  });
});

describe('the host reminder in the studio', () => {
  it('shows a desktop notification and a banner whose "Go live now" opens the Space to go live', () => {
    const shown: Array<{ title: string; body: string; onclick: (() => void) | null }> = [];
    class FakeNotification {
      static permission = 'granted';
      static requestPermission = vi.fn();
      onclick: (() => void) | null = null;
      constructor(title: string, options: { body: string }) {
        shown.push(Object.assign(this, { title, body: options.body }));
      }
    }
    vi.stubGlobal('Notification', FakeNotification);
    const onGoLive = vi.fn();
    render(<HostReminders spaces={[space()]} onGoLive={onGoLive} canGoLive now={() => START - 4 * 60_000} />);
    expect(shown.map((n) => [n.title, n.body])).toEqual([['Your Space is about to start', '“Album night” starts in 4 minutes.']]);
    expect(screen.getByRole('alert').textContent).toContain('starts in 4 minutes');
    fireEvent.click(screen.getByRole('button', { name: 'Go live now' }));
    expect(onGoLive).toHaveBeenCalledWith(expect.objectContaining({ id: 'sp1' }));
    shown[0]!.onclick!();
    expect(onGoLive).toHaveBeenCalledTimes(2);
  });

  it('keeps the chosen lead time, and asks for permission only when the host clicks', () => {
    const requestPermission = vi.fn(() => Promise.resolve('granted'));
    vi.stubGlobal('Notification', Object.assign(vi.fn(), { permission: 'default', requestPermission }));
    render(<HostReminders spaces={[space()]} onGoLive={vi.fn()} canGoLive now={() => START - 20 * 60_000} />);
    expect(screen.queryByRole('alert')).toBeNull();
    expect(requestPermission).not.toHaveBeenCalled();
    fireEvent.change(screen.getByRole('combobox'), { target: { value: '30' } });
    expect(localStorage.getItem('spacecraft.hostReminderLeadMinutes')).toBe('30');
    expect(screen.getByRole('alert').textContent).toContain('starts in 20 minutes');
    fireEvent.click(screen.getByRole('button', { name: 'Turn on desktop notifications' }));
    expect(requestPermission).toHaveBeenCalledTimes(1);
  });
});
