// @vitest-environment happy-dom
/**
 * The ticket panel after the host moved a Space: a buyer with a paid ticket is told it still counts
 * and may ask for a refund until the window ends; asking sends the refund and the panel then says
 * the ticket is being refunded. Without a move (or past the window) nothing is offered. A moved
 * Space's panel reads the ticket again and names the new time; a cancelled one follows the refund
 * until the money is back, and says nothing to a signed-in visitor without a ticket. An ended Space
 * shows only a refunded ticket; past the start of a Space not started, the ticket is read again.
 */
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AccountSnapshot, AccountStore } from '../account/account-store.ts';
import { TicketPanel, time } from './ticket-panel.tsx';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const OFFER = { ticketed: true, spaceId: 'sp1', currency: 'usd', amount: 500, price: '5.00 USD', capacity: 10, sold: 3, held: 0, left: 7, salesOpenAt: null, salesCloseAt: null, sales: 'open' };
const ACCOUNT = { status: 'signed-in', token: 'buyer-session', account: { id: 'a1', handle: 'fan', displayName: 'Fan', followers: 0 } } as unknown as AccountSnapshot;
const NO_STORE = {} as AccountStore;

/** A server for the panel: the ticket's state, and the refund state after a move. */
function serve(refund: { rescheduledAt: string | null; deadline: string | null; mayAsk: boolean }) {
  let ticket: 'paid' | 'refunding' = 'paid';
  const calls: string[] = [];
  vi.stubGlobal('fetch', async (url: URL, init?: RequestInit) => {
    const method = init?.method ?? 'GET';
    calls.push(`${method} ${url.pathname} ${new Headers(init?.headers).get('authorization')}`);
    if (url.pathname.endsWith('/tickets')) return Response.json({ ...OFFER, mine: { ticket, checkout: null } });
    if (url.pathname.endsWith('/refund') && method === 'GET') return Response.json({ ticketStatus: ticket, why: null, ...refund });
    if (url.pathname.endsWith('/refund') && method === 'POST') {
      ticket = 'refunding';
      return Response.json({ refund: 'started' }, { status: 202 });
    }
    return Response.json({ error: { code: 'NOT_FOUND', message: 'No.' } }, { status: 404 });
  });
  return calls;
}

describe('the ticket panel after a move', () => {
  it('offers the refund within the window, and asking for it refunds the ticket', async () => {
    const calls = serve({ rescheduledAt: '2026-12-01T18:00:00.000Z', deadline: '2026-12-03T18:00:00.000Z', mayAsk: true });
    render(<TicketPanel serverUrl="https://spaces.example" spaceId="sp1" accounts={NO_STORE} account={ACCOUNT} />);
    const offer = await screen.findByText(/The host moved this Space/);
    expect(offer.textContent).toContain('Your ticket still counts');
    fireEvent.click(screen.getByRole('button', { name: 'Refund my ticket' }));
    // Asked, then confirmed: nothing is sent before.
    expect(calls.some((c) => c.startsWith('POST'))).toBe(false);
    fireEvent.click(screen.getByRole('button', { name: 'Yes, refund 5.00 USD' }));
    expect((await screen.findByText(/Your refund of 5.00 USD/)).textContent).toContain('on its way');
    expect(calls).toContain('POST /api/spaces/sp1/refund Bearer buyer-session');
    expect(screen.queryByRole('button', { name: 'Refund my ticket' })).toBeNull();
  });

  it('offers nothing when the Space has not moved, or the window is over', async () => {
    for (const refund of [
      { rescheduledAt: null, deadline: null, mayAsk: false },
      { rescheduledAt: '2026-12-01T18:00:00.000Z', deadline: '2026-12-03T18:00:00.000Z', mayAsk: false },
    ]) {
      const calls = serve(refund);
      render(<TicketPanel serverUrl="https://spaces.example" spaceId="sp1" accounts={NO_STORE} account={ACCOUNT} />);
      await screen.findByText(/You have a ticket for this Space/);
      await vi.waitFor(() => expect(calls).toContain('GET /api/spaces/sp1/refund Bearer buyer-session'));
      expect(screen.queryByText(/The host moved this Space/)).toBeNull();
      cleanup();
    }
  });
});

/** A server whose ticket answers go through `states` in turn (the last one repeats). */
function serveStates(states: Array<'paid' | 'refunding' | 'refunded' | null>) {
  const seen: string[] = [];
  vi.stubGlobal('fetch', async (url: URL) => {
    if (url.pathname.endsWith('/tickets')) {
      const ticket = states.length > 1 ? states.shift()! : states[0]!;
      seen.push(String(ticket));
      return Response.json({ ...OFFER, sales: 'closed', mine: { ticket, checkout: null } });
    }
    if (url.pathname.endsWith('/refund')) return Response.json({ ticketStatus: 'paid', rescheduledAt: '2026-12-01T18:00:00.000Z', deadline: '2026-12-08T18:00:00.000Z', mayAsk: true, why: null });
    return Response.json({ error: { code: 'NOT_FOUND', message: 'No.' } }, { status: 404 });
  });
  return seen;
}

describe('the ticket panel as the Space changes', () => {
  it('reads the ticket again when the host moves the Space, and names the new time', async () => {
    serveStates(['paid']);
    const view = render(<TicketPanel serverUrl="https://spaces.example" spaceId="sp1" accounts={NO_STORE} account={ACCOUNT} space={{ status: 'scheduled', scheduledFor: '2026-12-01T18:00:00.000Z' }} />);
    await screen.findByText(/You have a ticket/);
    view.rerender(<TicketPanel serverUrl="https://spaces.example" spaceId="sp1" accounts={NO_STORE} account={ACCOUNT} space={{ status: 'scheduled', scheduledFor: '2026-12-02T20:30:00.000Z' }} />);
    const moved = await screen.findByText(/The host moved this Space to/);
    expect(moved.textContent).toContain(time('2026-12-02T20:30:00.000Z'));
    expect(moved.textContent).toContain(`until ${time('2026-12-08T18:00:00.000Z')}`);
  });

  it('follows a cancelled Space’s refund until the money is back', async () => {
    const seen = serveStates(['paid', 'refunding', 'refunded']);
    render(<TicketPanel serverUrl="https://spaces.example" spaceId="sp1" accounts={NO_STORE} account={ACCOUNT} space={{ status: 'cancelled', scheduledFor: null }} />);
    expect((await screen.findByRole('status')).textContent).toContain('about to be refunded');
    await vi.waitFor(() => expect(screen.getByRole('status').getAttribute('data-ticket')).toBe('refunding'), { timeout: 5000 });
    expect(screen.getByRole('status').textContent).toBe('Your 5.00 USD ticket is being refunded…');
    await vi.waitFor(() => expect(screen.getByRole('status').getAttribute('data-ticket')).toBe('refunded'), { timeout: 8000 });
    expect(screen.getByRole('status').textContent).toContain('refunded in full: 5.00 USD goes back to the card you paid with');
    expect(screen.queryByText(/Ticket/)).toBeNull();
    // Refunded: no more reads.
    const reads = seen.length;
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(seen.length).toBe(reads);
  }, 20_000);

  it('on a cancelled Space says nothing to a visitor without a ticket, and asks one not signed in to sign in', async () => {
    const seen = serveStates([null]);
    const view = render(<TicketPanel serverUrl="https://spaces.example" spaceId="sp1" accounts={NO_STORE} account={ACCOUNT} space={{ status: 'cancelled', scheduledFor: null }} />);
    await vi.waitFor(() => expect(seen.length).toBeGreaterThan(0));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(view.container.textContent).toBe('');
    cleanup();
    const guest: AccountSnapshot = { status: 'guest', account: null, token: null };
    render(<TicketPanel serverUrl="https://spaces.example" spaceId="sp1" accounts={NO_STORE} account={guest} space={{ status: 'cancelled', scheduledFor: null }} />);
    expect((await screen.findByRole('status')).textContent).toContain('Every ticket of this Space is refunded in full');
    expect(screen.getByRole('button', { name: 'Sign in to see yours' })).toBeTruthy();
  });

  it('on an ended Space speaks of the ticket only when it was refunded', async () => {
    serveStates(['paid']);
    const view = render(<TicketPanel serverUrl="https://spaces.example" spaceId="sp1" accounts={NO_STORE} account={ACCOUNT} space={{ status: 'ended', scheduledFor: null }} />);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(view.container.textContent).toBe('');
    cleanup();
    serveStates(['refunded']);
    render(<TicketPanel serverUrl="https://spaces.example" spaceId="sp1" accounts={NO_STORE} account={ACCOUNT} space={{ status: 'ended', scheduledFor: null }} />);
    expect((await screen.findByRole('status')).textContent).toContain('Your ticket was refunded in full: 5.00 USD');
    expect(screen.queryByText(/Ticket/)).toBeNull();
  });

  it('past the start of a Space its host has not started, reads the ticket again every half minute (a no-show refunds it by itself)', async () => {
    vi.useFakeTimers({ now: Date.parse('2026-12-01T18:00:30.000Z') });
    try {
      const seen = serveStates(['paid', 'paid', 'refunded']);
      render(<TicketPanel serverUrl="https://spaces.example" spaceId="sp1" accounts={NO_STORE} account={ACCOUNT} space={{ status: 'scheduled', scheduledFor: '2026-12-01T18:00:00.000Z' }} />);
      await act(() => vi.advanceTimersByTimeAsync(100));
      expect(seen).toEqual(['paid']);
      await act(() => vi.advanceTimersByTimeAsync(36_000));
      expect(seen).toEqual(['paid', 'paid']);
      await act(() => vi.advanceTimersByTimeAsync(36_000));
      expect(screen.getByRole('status').getAttribute('data-ticket')).toBe('refunded');
      // Refunded: no more reads.
      await act(() => vi.advanceTimersByTimeAsync(120_000));
      expect(seen).toHaveLength(3);
    } finally {
      vi.useRealTimers();
    }
  });

  it('before the start reads nothing more until the start comes', async () => {
    vi.useFakeTimers({ now: Date.parse('2026-12-01T17:00:00.000Z') });
    try {
      const seen = serveStates(['paid']);
      render(<TicketPanel serverUrl="https://spaces.example" spaceId="sp1" accounts={NO_STORE} account={ACCOUNT} space={{ status: 'scheduled', scheduledFor: '2026-12-01T18:00:00.000Z' }} />);
      await act(() => vi.advanceTimersByTimeAsync(59 * 60_000));
      expect(seen).toEqual(['paid']);
      await act(() => vi.advanceTimersByTimeAsync(2 * 60_000));
      expect(seen.length).toBeGreaterThan(1);
    } finally {
      vi.useRealTimers();
    }
  });
});
