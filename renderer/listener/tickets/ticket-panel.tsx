/**
 * A ticketed Space's ticket on its page: the price and "Buy ticket" (signing in first when needed),
 * which sends the buyer to Stripe Checkout; back from it (`?checkout=<session>`), the server asks
 * Stripe and the panel shows the ticket. It also says clearly when the listener cannot buy: sold
 * out, sales not open yet or closed, or ticket sales not set up. A free Space shows nothing.
 */
import { useCallback, useEffect, useState } from 'react';
import type { TicketsJson } from '../../../server/signalling/protocol.ts';
import { describeError } from '../../lib/error-messages.ts';
import type { AccountSnapshot, AccountStore } from '../account/account-store.ts';
import { useAccountStore } from '../account/use-account.ts';
import { SignInForm } from '../components/sign-in-form.tsx';
import type { BuyerRefundJson } from '../../../server/signalling/protocol.ts';
import { askRefund, confirmCheckout, loadRefundState, loadTickets, startCheckout } from './ticket-api.ts';

type Offer = Extract<TicketsJson, { ticketed: true }>;

const time = (iso: string) => new Date(iso).toLocaleString(undefined, { weekday: 'short', day: 'numeric', month: 'short', hour: 'numeric', minute: '2-digit' });

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

/** The panel with a page's own account store (a page without one: the scheduled Space's). */
export function StandaloneTicketPanel({ serverUrl, spaceId }: { serverUrl: string; spaceId: string }) {
  const [accounts, account] = useAccountStore(serverUrl);
  return <TicketPanel serverUrl={serverUrl} spaceId={spaceId} accounts={accounts} account={account} />;
}

/** The panel signed in with the page's account store (the one its account bar shows). */
export function TicketPanel({ serverUrl, spaceId, accounts, account }: { serverUrl: string; spaceId: string; accounts: AccountStore; account: AccountSnapshot }) {
  const [offer, setOffer] = useState<TicketsJson | null>(null);
  const [moved, setMoved] = useState<BuyerRefundJson | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [signingIn, setSigningIn] = useState(false);
  const token = account.status === 'signed-in' ? account.token : null;

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
      refresh().catch(() => undefined);
    }
  };

  useEffect(() => {
    if (account.status === 'checking') return;
    refresh().catch(setError);
  }, [refresh, account.status]);

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

  if (signingIn) return <SignInForm store={accounts} reason="Sign in to buy a ticket: it belongs to your account." onDone={() => setSigningIn(false)} onCancel={() => setSigningIn(false)} />;
  if (!offer || !offer.ticketed) {
    return error ? <p className="error" role="alert">{describeError(error)}</p> : null;
  }
  const mine = offer.mine;
  return (
    <section className="ticket" aria-label="Ticket" data-sales={offer.sales}>
      <p className="ticket-price">
        Ticket <strong>{offer.price}</strong>
      </p>
      {mine?.ticket === 'paid' || mine?.ticket === 'disputed' ? (
        <>
          <p className="ticket-state" role="status" data-ticket="paid">
            🎟 You have a ticket for this Space.
          </p>
          {mine.ticket === 'paid' && moved?.rescheduledAt && moved.mayAsk && moved.deadline ? (
            <p className="ticket-moved" data-refund="may-ask">
              The host moved this Space ({time(moved.rescheduledAt)}). Your ticket still counts; if the new time does not suit you, ask for your
              money back until {time(moved.deadline)}.{' '}
              <button type="button" disabled={busy} onClick={() => void refund()}>
                {busy ? 'Asking…' : 'Refund my ticket'}
              </button>
            </p>
          ) : null}
        </>
      ) : mine?.ticket === 'refunding' || mine?.ticket === 'refunded' ? (
        <p className="ticket-state" role="status" data-ticket={mine.ticket}>
          Your ticket was refunded{mine.ticket === 'refunding' ? ' (on its way)' : ''}.
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
