// @vitest-environment happy-dom
/**
 * The ticket panel after the host moved a Space: a buyer with a paid ticket is told it still counts
 * and may ask for a refund until the window ends; asking sends the refund and the panel then says
 * the ticket is being refunded. Without a move (or past the window) nothing is offered.
 */
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AccountSnapshot, AccountStore } from '../account/account-store.ts';
import { TicketPanel } from './ticket-panel.tsx';

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
