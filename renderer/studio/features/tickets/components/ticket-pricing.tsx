/**
 * A Space's tickets in the studio: price (currency + amount), how many, when sales open and close,
 * with the rules beside them; once priced, sales so far (sold, held by unfinished checkouts, left).
 * Until the first sale everything may change and the Space may become free again; after it the
 * price is fixed and only the count and the close time may move (the server enforces the same).
 */
import { useId, useState, type FormEvent } from 'react';
import { SUPPORTED_CURRENCIES, MAX_CAPACITY } from '../../../../../server/signalling/protocol.ts';
import { describeError } from '../../../../lib/error-messages.ts';
import { useSetTickets, useTickets, useWithdrawTickets } from '../api/tickets.ts';
import { localToIso, priceRange, toMajorUnits, toMinorUnits } from '../lib/price.ts';

/** The server's error with what exactly was wrong (`details`: "amount: at least 0.50 USD …"). */
function explain(error: unknown): string {
  const details = (error as { details?: unknown } | null)?.details;
  const lines = Array.isArray(details) ? details.filter((d): d is string => typeof d === 'string') : [];
  return lines.length > 0 ? `${describeError(error)} ${lines.join('; ')}` : describeError(error);
}

export function TicketPricing({ spaceId }: { spaceId: string }) {
  const [open, setOpen] = useState(false);
  const tickets = useTickets(spaceId, open);
  const save = useSetTickets(spaceId);
  const withdraw = useWithdrawTickets(spaceId);
  const [currency, setCurrency] = useState('usd');
  const [problem, setProblem] = useState<string | null>(null);
  const ids = { currency: useId(), amount: useId(), capacity: useId(), opens: useId(), closes: useId() };

  if (!open) {
    return (
      <button type="button" className="link" onClick={() => setOpen(true)}>
        Tickets
      </button>
    );
  }
  const offer = tickets.data?.ticketed ? tickets.data : null;
  const sold = offer ? offer.sold + offer.held > 0 : false;
  const shownCurrency = offer?.currency ?? currency;

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const capacity = Number(form.get('capacity'));
    const closes = localToIso(String(form.get('closes') ?? ''));
    if (sold) {
      save.mutate({ capacity, salesCloseAt: closes });
      return;
    }
    const amount = toMinorUnits(String(form.get('amount') ?? ''), shownCurrency);
    if (amount === null) return setProblem(`Write the price in ${shownCurrency.toUpperCase()}, like ${shownCurrency === 'jpy' ? '500' : '4.99'}.`);
    setProblem(null);
    save.mutate({ currency: shownCurrency, amount, capacity, salesOpenAt: localToIso(String(form.get('opens') ?? '')), salesCloseAt: closes });
  };

  return (
    <div className="ticket-pricing" role="group" aria-label="Ticket sales">
      {offer ? (
        <p role="status" data-sales={offer.sales}>
          {offer.price} · {offer.sold} sold · {offer.held} being bought · {offer.left} left of {offer.capacity}
        </p>
      ) : (
        <p className="muted">This Space is free. Price it to sell tickets: listeners then need one to hear it (you and your co-hosts never do).</p>
      )}
      <form onSubmit={submit} className="schedule-when">
        <label className="field" htmlFor={ids.currency}>
          <span>Currency</span>
          <select id={ids.currency} name="currency" value={shownCurrency} disabled={sold} onChange={(e) => setCurrency(e.target.value)}>
            {SUPPORTED_CURRENCIES.map((c) => (
              <option key={c} value={c}>
                {c.toUpperCase()}
              </option>
            ))}
          </select>
        </label>
        <label className="field" htmlFor={ids.amount}>
          <span>Price</span>
          <input id={ids.amount} name="amount" inputMode="decimal" required={!sold} disabled={sold} defaultValue={offer ? toMajorUnits(offer.amount, offer.currency) : ''} />
        </label>
        <label className="field" htmlFor={ids.capacity}>
          <span>Tickets</span>
          <input id={ids.capacity} name="capacity" type="number" min={offer ? Math.max(1, offer.sold + offer.held) : 1} max={MAX_CAPACITY} required defaultValue={offer?.capacity ?? 100} />
        </label>
        <label className="field" htmlFor={ids.opens}>
          <span>Sales open</span>
          <input id={ids.opens} name="opens" type="datetime-local" disabled={sold} />
        </label>
        <label className="field" htmlFor={ids.closes}>
          <span>Sales close</span>
          <input id={ids.closes} name="closes" type="datetime-local" />
        </label>
        <button type="submit" className="primary" disabled={save.isPending}>
          {offer ? 'Save tickets' : 'Sell tickets'}
        </button>
        {offer && !sold ? (
          <button type="button" disabled={withdraw.isPending} onClick={() => withdraw.mutate()}>
            Make it free
          </button>
        ) : null}
      </form>
      <p className="muted rules">
        {priceRange(shownCurrency)} Empty dates: sales open now and close when the Space ends.{' '}
        {sold ? 'Tickets have been sold, so the price is fixed: you may add tickets (or remove unsold ones) and move the close time.' : 'Everything may change until the first ticket sells.'}
      </p>
      {problem || save.error || withdraw.error || tickets.error ? (
        <p className="error" role="alert">
          {problem ?? explain(save.error ?? withdraw.error ?? tickets.error)}
        </p>
      ) : null}
    </div>
  );
}
