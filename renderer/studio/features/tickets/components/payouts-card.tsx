/**
 * Payouts for ticketed Spaces: whether this server sells tickets at all (Stripe keys), whether the
 * host's Stripe account is connected and can take charges, and what Stripe still needs; "Connect
 * payouts" opens Stripe's hosted onboarding.
 */
import { useId, useState } from 'react';
import { describeError } from '../../../../lib/error-messages.ts';
import { useConnectPayouts, usePayoutStatus } from '../api/tickets.ts';

/** Stripe's requirement names (`individual.dob.day`) as people read them. */
export function requirementLabel(name: string): string {
  const known: Record<string, string> = {
    external_account: 'a bank account for payouts',
    'tos_acceptance.date': 'accepting Stripe’s terms',
    'business_profile.url': 'a website or profile link',
    'individual.dob.day': 'your date of birth',
  };
  return known[name] ?? name.replace(/[._]/g, ' ');
}

export function PayoutsCard() {
  const status = usePayoutStatus();
  const connect = useConnectPayouts();
  const [link, setLink] = useState<string | null>(null);
  const heading = useId();
  const data = status.data;
  return (
    <section className="panel payouts" aria-labelledby={heading}>
      <h2 id={heading}>Tickets · payouts</h2>
      {status.isPending ? <p className="muted">Checking payouts…</p> : null}
      {status.error ? (
        <p className="error" role="alert">
          {describeError(status.error)}
        </p>
      ) : null}
      {data && !data.available ? (
        <p className="muted" role="status" data-payouts="unavailable">
          Ticket sales need Stripe to be connected on this server: its Stripe keys (the “Stripe keys” form for the studio’s own server;
          SPACECRAFT_STRIPE_KEYS_FILE or SPACECRAFT_STRIPE_SECRET_KEY on a server you run). Free Spaces work as always.
        </p>
      ) : null}
      {data?.available ? (
        <>
          <p role="status" data-payouts={data.chargesEnabled ? 'ready' : data.connected ? 'incomplete' : 'none'}>
            {data.chargesEnabled
              ? `Payouts ready: buyers pay into your Stripe account${data.defaultCurrency ? ` (${data.defaultCurrency.toUpperCase()})` : ''}.`
              : data.connected
                ? 'Stripe still needs a few things before your ticket sales can open:'
                : 'Connect a Stripe account to sell tickets; you keep the ticket price less the platform fee.'}
          </p>
          {data.connected && !data.chargesEnabled && data.requirementsDue.length > 0 ? (
            <ul className="requirements" aria-label="What Stripe still needs">
              {data.requirementsDue.map((name) => (
                <li key={name}>{requirementLabel(name)}</li>
              ))}
            </ul>
          ) : null}
          <div className="actions">
            {!data.chargesEnabled ? (
              <button type="button" className="primary" disabled={connect.isPending} onClick={() => connect.mutate(undefined, { onSuccess: (answer) => setLink(answer.url) })}>
                {data.connected ? 'Continue payout set-up' : 'Connect payouts'}
              </button>
            ) : null}
            <button type="button" onClick={() => void status.refetch()}>
              Check again
            </button>
          </div>
          {link ? (
            <p>
              <a href={link} target="_blank" rel="noreferrer">
                Open Stripe to set up payouts
              </a>{' '}
              (then come back and check again).
            </p>
          ) : null}
          {connect.error ? (
            <p className="error" role="alert">
              {describeError(connect.error)}
            </p>
          ) : null}
        </>
      ) : null}
    </section>
  );
}
