// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AccountSnapshot, AccountStore } from '../account/account-store.ts';
import { ReminderPanel } from './reminder-panel.tsx';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const signedIn: AccountSnapshot = { status: 'signed-in', account: { id: 'a1', handle: 'ada', displayName: 'Ada' }, token: 'tok' };
const guest: AccountSnapshot = { status: 'guest', account: null, token: null };
const store = {} as AccountStore;
const json = (body: unknown, status = 200) => Promise.resolve(new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } }));

function serverWith(options: { emailConfigured: boolean; reminder?: unknown }) {
  const calls: Array<{ method: string; url: string; body: unknown; auth: string | null }> = [];
  const fetchMock = vi.fn((input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    const method = init?.method ?? 'GET';
    calls.push({ method, url, body: init?.body ? JSON.parse(String(init.body)) : null, auth: new Headers(init?.headers).get('authorization') });
    if (url.endsWith('/api/reminders/settings')) return json({ emailConfigured: options.emailConfigured, vapidPublicKey: 'B'.repeat(87) });
    if (url.endsWith('/reminder-contact')) return json({ email: null, timeZone: 'UTC', emailUnsubscribed: false });
    if (url.includes('/creator-reminders/')) return method === 'GET' ? json({ error: { code: 'NOT_FOUND', message: 'none' } }, 404) : json({ handle: 'host', channels: ['email'], minutesBefore: 15 });
    if (url.endsWith('/reminder') && method === 'GET') return options.reminder ? json(options.reminder) : json({ error: { code: 'NOT_FOUND', message: 'none' } }, 404);
    if (url.endsWith('/reminder') && method === 'PUT') return json({ spaceId: 'sp1', channels: ['email'], minutesBefore: 15, createdAt: '2026-11-27T00:00:00Z' });
    if (url.endsWith('/reminder') && method === 'DELETE') return Promise.resolve(new Response(null, { status: 204 }));
    return json({ error: { code: 'NOT_FOUND', message: 'no route' } }, 404);
  });
  vi.stubGlobal('fetch', fetchMock);
  return calls;
}

describe('the reminder panel on a scheduled Space', () => {
  it('signed out: a button to sign in and the calendar download, and no request to the server', () => {
    const calls = serverWith({ emailConfigured: true });
    render(<ReminderPanel serverUrl="http://server" spaceId="sp1" hostHandle="host" accounts={store} account={guest} />);
    expect(screen.getByRole('button', { name: 'Remind me' })).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Add to calendar (.ics)' }).getAttribute('href')).toBe('/api/spaces/sp1/calendar.ics');
    expect(calls).toEqual([]);
  });

  it('says when the server has no e-mail, and keeps e-mail and calendar from being chosen', async () => {
    serverWith({ emailConfigured: false });
    render(<ReminderPanel serverUrl="http://server" spaceId="sp1" hostHandle="host" accounts={store} account={signedIn} />);
    await waitFor(() => expect(screen.getAllByText(/e-mail is not configured on this server/)).toHaveLength(2));
    expect((screen.getByRole('checkbox', { name: /E-mail/ }) as HTMLInputElement).disabled).toBe(true);
    expect((screen.getByRole('checkbox', { name: /calendar/ }) as HTMLInputElement).disabled).toBe(true);
  });

  it('sets an e-mail reminder 15 minutes before with the address and zone, signed in by bearer, and removes it', async () => {
    const calls = serverWith({ emailConfigured: true });
    const view = render(<ReminderPanel serverUrl="http://server" spaceId="sp1" hostHandle="host" accounts={store} account={signedIn} />);
    await waitFor(() => expect((screen.getByRole('checkbox', { name: /E-mail/ }) as HTMLInputElement).disabled).toBe(false));
    fireEvent.click(screen.getByRole('checkbox', { name: /Notification in this browser/ }));
    fireEvent.click(screen.getByRole('checkbox', { name: /E-mail/ }));
    fireEvent.change(screen.getByRole('textbox', { name: /E-mail address/ }), { target: { value: 'ada@example.com' } });
    fireEvent.change(screen.getByRole('combobox'), { target: { value: '15' } });
    fireEvent.click(screen.getByRole('button', { name: 'Set reminder' }));
    await waitFor(() => expect(calls.some((c) => c.method === 'PUT' && c.url.endsWith('/api/spaces/sp1/reminder'))).toBe(true));
    const put = calls.find((c) => c.method === 'PUT' && c.url.endsWith('/reminder'))!;
    expect(put.body).toMatchObject({ channels: ['email'], minutesBefore: 15, email: 'ada@example.com', timeZone: expect.any(String) });
    expect(put.auth).toBe('Bearer tok');
    view.unmount();
    serverWith({ emailConfigured: true, reminder: { spaceId: 'sp1', channels: ['email'], minutesBefore: 15 } });
    render(<ReminderPanel serverUrl="http://server" spaceId="sp1" hostHandle="host" accounts={store} account={signedIn} />);
    await waitFor(() => expect(screen.getByRole('button', { name: 'Remove reminder' })).toBeTruthy());
    expect(screen.getByRole('status').textContent).toContain('email, 15 minutes before and when it starts');
  });
});
