/**
 * A ticketed Space's sales, live, for its host: sold, held by open checkouts, left, gross, the
 * platform's fee, the host's net, refunds and disputes, and a chart of sales over time. Polls the
 * server every 2 s while shown; after a failed read it waits longer each time (up to 30 s) and
 * says so, then goes back to 2 s once a read succeeds.
 */
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { describeError } from '../../../../lib/error-messages.ts';
import { toMajorUnits } from '../lib/price.ts';
import { SalesChart } from './sales-chart.tsx';

const POLL_MS = 2_000;
const MAX_BACKOFF_MS = 30_000;

/** The next poll: 2 s while reads succeed, doubling per failure in a row, at most 30 s. */
export function salesPollDelay(failuresInARow: number): number {
  return failuresInARow === 0 ? POLL_MS : Math.min(MAX_BACKOFF_MS, POLL_MS * 2 ** failuresInARow);
}

export function useSales(spaceId: string, enabled: boolean) {
  return useQuery({
    queryKey: ['sales', spaceId],
    queryFn: () => window.studio.tickets.sales({ spaceId }),
    enabled,
    retry: false,
    refetchInterval: (query) => (enabled ? salesPollDelay(query.state.fetchFailureCount) : false),
  });
}

export function SalesDashboard({ spaceId }: { spaceId: string }) {
  const [open, setOpen] = useState(false);
  const sales = useSales(spaceId, open);
  if (!open) {
    return (
      <button type="button" className="link" onClick={() => setOpen(true)}>
        Sales
      </button>
    );
  }
  const report = sales.data;
  const money = (amount: number) => (report?.currency ? toMajorUnits(amount, report.currency) + ' ' + report.currency.toUpperCase() : String(amount));
  return (
    <section aria-label="Sales" className="sales-dashboard">
      <button type="button" className="link" onClick={() => setOpen(false)}>
        Hide sales
      </button>
      {sales.error ? <p role="status">Sales could not be read ({describeError(sales.error)}); trying again.</p> : null}
      {!report ? (
        <p>Reading sales…</p>
      ) : !report.ticketed ? (
        <p>This Space is free: no tickets are sold.</p>
      ) : (
        <>
          <dl className="sales-figures">
            <dt>Sold</dt>
            <dd data-testid="sales-sold">{report.sold}</dd>
            <dt>Held</dt>
            <dd data-testid="sales-held">{report.held}</dd>
            <dt>Left</dt>
            <dd data-testid="sales-left">{report.left}</dd>
            <dt>Gross</dt>
            <dd data-testid="sales-gross">{money(report.gross)}</dd>
            <dt>Platform fee</dt>
            <dd data-testid="sales-fee">{money(report.platformFee)}</dd>
            <dt>Your net</dt>
            <dd data-testid="sales-net">{money(report.hostNet)}</dd>
            {report.refunded + report.refunding > 0 ? (
              <>
                <dt>Refunded</dt>
                <dd data-testid="sales-refunded">
                  {report.refunded}
                  {report.refundedAmount > 0 ? ` · ${money(report.refundedAmount)}` : ''}
                  {report.refunding > 0 ? ` (${report.refunding} on the way)` : ''}
                </dd>
              </>
            ) : null}
            {report.disputed > 0 ? (
              <>
                <dt>Disputed</dt>
                <dd>{report.disputed}</dd>
              </>
            ) : null}
          </dl>
          <SalesChart series={report.series} capacity={report.capacity} now={sales.dataUpdatedAt} />
        </>
      )}
    </section>
  );
}
