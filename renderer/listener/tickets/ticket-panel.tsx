/**
 * A ticketed Space's ticket on its page: the price and "Buy ticket" (signing in first when needed),
 * which sends the buyer to Stripe Checkout; back from it (`?checkout=<session>`), the server asks
 * Stripe and the panel shows the ticket. It also says clearly when the listener cannot buy: sold
 * out, sales not open yet or closed, or ticket sales not set up. A free Space shows nothing.
 *
 * The page hands it the Space's state (`space`): when the host moves the Space the panel reads the
 * ticket again and tells a holder it still counts, offering the refund (asked, then confirmed)
 * until the window ends; when the host cancels, it says the ticket is being refunded, then that it
 * was. While a refund is on its way it reads again every few seconds until the money is back; past
 * the start of a Space its host has not started, it reads again every half minute (a host who never
 * comes gets every ticket refunded by itself). An ended Space's page shows a refunded ticket only.
 */
import { useCallback, useEffect, useState } from 'react';
import type { BuyerRefundJson, TicketsJson } from '../../../server/signalling/protocol.ts';
import { describeError } from '../../lib/error-messages.ts';
import type { AccountSnapshot, AccountStore } from '../account/account-store.ts';
import { SignInForm } from '../components/sign-in-form.tsx';
import { askRefund, confirmCheckout, loadRefundState, loadTickets, startCheckout } from './ticket-api.ts';
import './ticket-panel.css';

type Offer = Extract<TicketsJson, { ticketed: true }>;

export const time = (iso: string) => new Date(iso).toLocaleString(undefined, { weekday: 'short', day: 'numeric', month: 'short', hour: 'numeric', minute: '2-digit' });

/** What the panel says about buying, when the listener has no ticket. */
export function salesLine(offer: Offer): string | null {
  switch (offer.sales) {
    case 'open':
      return offer.left === 1 ? 'Last ticket left.' : `${offer.left} of ${offer.capacity} tickets left.`;
    case 'sold-out':
      return offer.held > 0 ? 'Sold out for now: seats held by unfinished checkouts come back if those buyers do not pay.' : 'Sold out: every ticket for this Space is taken.';
    case 'not-open':
      return offer.salesOpenAt ? `Ticket sales open ${time(offer.salesOpenAt)}.` : 'Ticket sales have not opened yet.';
    case 'closed':
      return 'Ticket sales for this Space have closed.';
    case 'payments-unavailable':
      return 'Tickets are not on sale yet: the host’s payments (Stripe) are not set up.';
  }
}

/** The session id Stripe put in the return link (`?checkout=cs_…`), or null. */
function returnedSession(): string | null {
  if (typeof location === 'undefined') return null;
  const value = new URLSearchParams(location.search).get('checkout');
  return value && /^cs_[A-Za-z0-9_]{1,200}$/.test(value) ? value : null;
}

function forgetReturn(): void {
  const url = new URL(location.href);
  url.searchParams.delete('checkout');
  history.replaceState(history.state, '', url);
}

/** What the page knows of the Space: a change (moved, cancelled) makes the panel read the ticket again. */
export type TicketSpace = { status: string; scheduledFor: string | null };

const startsAtOf = (space: TicketSpace | undefined): number | null => (space?.scheduledFor ? Date.parse(space.scheduledFor) : null);

/** How long to wait before reading a refund on its way again: 2 s, growing to 30 s. */
export function refundPollDelay(reads: number): number {
  return Math.min(30_000, 2_000 * 1.5 ** reads);
}

/** The panel signed in with the page's account store (the one its account bar shows). */
export function TicketPanel({ serverUrl, spaceId, accounts, account, space }: { serverUrl: string; spaceId: string; accounts: AccountStore; account: AccountSnapshot; space?: TicketSpace }) {
  const [offer, setOffer] = useState<TicketsJson | null>(null);
  const [moved, setMoved] = useState<BuyerRefundJson | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [signingIn, setSigningIn] = useState(false);
  const token = account.status === 'signed-in' ? account.token : null;
  const cancelled = space?.status === 'cancelled';
  const ended = space?.status === 'ended';

  const refresh = useCallback(async () => {
    const session = returnedSession();
    let loaded: TicketsJson;
    if (session && token) {
      forgetReturn();
      loaded = await confirmCheckout(serverUrl, spaceId, session, token);
    } else {
      loaded = await loadTickets(serverUrl, spaceId, token);
    }
    setOffer(loaded);
    // A paid ticket of a Space that moved: the buyer may keep it or ask for a refund within the window.
    const paid = loaded.ticketed && loaded.mine?.ticket === 'paid';
    setMoved(token && paid ? await loadRefundState(serverUrl, spaceId, token).catch(() => null) : null);
  }, [serverUrl, spaceId, token]);

  // A refund on its way (or about to start: a cancelled Space's refunds are queued just after the cancel): read again
  // until the money is back (Stripe answers in seconds; a retry after an outage takes longer).
  const held = offer?.ticketed === true ? offer.mine?.ticket : null;
  const refunding = held === 'refunding' || (cancelled && held === 'paid');
  useEffect(() => {
    if (!refunding) return;
    let reads = 0;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout>;
    const again = () => {
      // A read that ends after this effect was cleaned up (refunded, or the page moved on) schedules nothing more.
      if (stopped) return;
      timer = setTimeout(() => {
        reads += 1;
        refresh().then(again, again);
      }, refundPollDelay(reads));
    };
    again();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [refunding, refresh]);

  const refund = async () => {
    if (!token) return;
    setBusy(true);
    setError(null);
    try {
      await askRefund(serverUrl, spaceId, token);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
      setConfirming(false);
      refresh().catch(() => undefined);
    }
  };

  // Past the start with the host not live yet, a paid ticket may be refunded by itself (the host never came): read again every ~30 s.
  const late = space?.status === 'scheduled' && startsAtOf(space) !== null && held === 'paid';
  useEffect(() => {
    const start = startsAtOf(space);
    if (!late || start === null) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout>;
    const again = () => {
      if (stopped) return;
      const toStart = start - Date.now();
      // Wait for the start (at most an hour at a time: timers overflow past 24 days), then every 24–36 s.
      const wait = toStart > 0 ? Math.min(3_600_000, toStart + 1_000) : 24_000 + Math.random() * 12_000;
      timer = setTimeout(() => {
        if (Date.now() >= start) void refresh().then(again, again);
        else again();
      }, wait);
    };
    again();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [late, space, refresh]);

  // Read again when the Space changes (the host moved or cancelled it): what the ticket allows changed with it.
  const spaceStatus = space?.status;
  const startsAt = space?.scheduledFor ?? null;
  useEffect(() => {
    if (account.status === 'checking') return;
    refresh().catch(setError);
  }, [refresh, account.status, spaceStatus, startsAt]);

  const buy = async () => {
    if (!token) return setSigningIn(true);
    setBusy(true);
    setError(null);
    try {
      const checkout = await startCheckout(serverUrl, spaceId, token);
      location.assign(checkout.url);
    } catch (e) {
      setError(e);
      setBusy(false);
      refresh().catch(() => undefined);
    }
  };

  if (signingIn) return <SignInForm store={accounts} reason={cancelled ? 'Sign in with the account you bought the ticket with.' : 'Sign in to buy a ticket: it belongs to your account.'} onDone={() => setSigningIn(false)} onCancel={() => setSigningIn(false)} />;
  if (!offer || !offer.ticketed) {
    return error ? <p className="error" role="alert">{describeError(error)}</p> : null;
  }
  const mine = offer.mine;
  const ticket = mine?.ticket ?? null;
  // An ended Space's page speaks of the ticket only when it was refunded (a Space that failed early, a host who never came).
  if (ended && ticket !== 'refunding' && ticket !== 'refunded') return null;
  // A cancelled Space's page speaks only to whoever held a ticket (nothing is left to buy); a visitor not signed in may be one.
  if (cancelled && ticket === null) {
    if (token) return null;
    return (
      <section className="ticket" aria-label="Ticket">
        <p className="ticket-state" role="status" data-ticket="unknown">
          Bought a ticket? Every ticket of this Space is refunded in full.{' '}
          <button type="button" className="link" onClick={() => setSigningIn(true)}>
            Sign in to see yours
          </button>
        </p>
      </section>
    );
  }
  return (
    <section className="ticket" aria-label="Ticket" data-sales={offer.sales}>
      {cancelled || ended ? null : (
        <p className="ticket-price">
          Ticket <strong>{offer.price}</strong>
        </p>
      )}
      {ticket === 'paid' || ticket === 'disputed' ? (
        <>
          <p className="ticket-state" role="status" data-ticket="paid">
            {!cancelled
              ? '🎟 You have a ticket for this Space.'
              : ticket === 'disputed'
                ? 'The host cancelled this Space. Your payment is disputed with your bank, which gives the money back.'
                : `The host cancelled this Space: your ${offer.price} ticket is about to be refunded.`}
          </p>
          {ticket === 'paid' && !cancelled && moved?.rescheduledAt && moved.mayAsk && moved.deadline ? (
            <div className="ticket-moved" data-refund="may-ask">
              <p>
                {startsAt ? (
                  <>
                    The host moved this Space to <strong>{time(startsAt)}</strong>.
                  </>
                ) : (
                  'The host moved this Space.'
                )}{' '}
                Your ticket still counts for the new time. If it no longer suits you, you can have your {offer.price} back until {time(moved.deadline)}.
              </p>
              {confirming ? (
                <div className="ticket-confirm" role="group" aria-label="Refund your ticket?">
                  <p>Refund {offer.price}? Your ticket stops letting you in and your seat goes back on sale.</p>
                  <div className="form-actions">
                    <button type="button" className="danger" disabled={busy} onClick={() => void refund()}>
                      {busy ? 'Asking…' : `Yes, refund ${offer.price}`}
                    </button>
                    <button type="button" disabled={busy} onClick={() => setConfirming(false)}>
                      Keep my ticket
                    </button>
                  </div>
                </div>
              ) : (
                <button type="button" onClick={() => setConfirming(true)}>
                  Refund my ticket
                </button>
              )}
            </div>
          ) : null}
        </>
      ) : ticket === 'refunding' || ticket === 'refunded' ? (
        <p className="ticket-state" role="status" data-ticket={ticket}>
          {refundLine(ticket, offer.price, cancelled)}
        </p>
      ) : mine?.checkout?.status === 'awaiting_payment' ? (
        <p className="ticket-state" role="status" data-ticket="pending">
          Your payment is being processed; your seat is kept until it clears.
        </p>
      ) : mine?.checkout?.url ? (
        <p className="ticket-state" role="status" data-ticket="held">
          Your seat is held until {time(mine.checkout.expiresAt)}. <a href={mine.checkout.url}>Continue to payment</a>
        </p>
      ) : (
        <>
          <p className="ticket-state" role="status" data-ticket="none">
            {salesLine(offer)}
          </p>
          {offer.sales === 'open' ? (
            <button type="button" className="primary buy" disabled={busy} onClick={() => void buy()}>
              {busy ? 'Opening checkout…' : token ? `Buy ticket · ${offer.price}` : 'Sign in to buy a ticket'}
            </button>
          ) : null}
        </>
      )}
      {error ? (
        <p className="error" role="alert">
          {describeError(error)}
        </p>
      ) : null}
    </section>
  );
}

/** What a refunded ticket's holder reads: on its way, or back (with how long banks take to show it). */
export function refundLine(ticket: 'refunding' | 'refunded', price: string, cancelled: boolean): string {
  if (ticket === 'refunding') return cancelled ? `Your ${price} ticket is being refunded…` : `Your refund of ${price} is on its way…`;
  return `Your ticket was refunded in full: ${price} goes back to the card you paid with (banks take 5–10 business days to show it).`;
}
