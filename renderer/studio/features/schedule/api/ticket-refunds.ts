/**
 * What cancelling or moving a Space means for its ticket holders, read from the sales report
 * (window.studio.tickets.sales): how many tickets are sold (each is refunded in full on cancel),
 * and, after a cancel, how the refunds are going (polled every 2 s until none is on its way).
 */
import { useQuery } from '@tanstack/react-query';
import { formatAmount } from '../../../../../server/signalling/protocol.ts';

export type TicketHolders = {
  ticketed: boolean;
  sold: number;
  refunding: number;
  refunded: number;
  refundedAmount: string | null;
  soldAmount: string | null;
  /** After a move, how long buyers may ask for a refund (hours; null: the server does not say). */
  refundWindowHours: number | null;
};

async function ticketHolders(spaceId: string): Promise<TicketHolders> {
  const report = await window.studio.tickets.sales({ spaceId });
  const money = (amount: number) => (report.currency ? formatAmount({ currency: report.currency, amount }) : null);
  return {
    ticketed: report.ticketed,
    sold: report.sold,
    refunding: report.refunding,
    refunded: report.refunded,
    refundedAmount: money(report.refundedAmount),
    soldAmount: report.price === null ? null : money(report.price * report.sold),
    refundWindowHours: report.refundWindowHours ?? null,
  };
}

/** The Space's ticket holders, read when `enabled` (the host opened the cancel or edit confirmation). */
export function useTicketHolders(spaceId: string, enabled: boolean) {
  return useQuery({ queryKey: ['ticket-holders', spaceId], queryFn: () => ticketHolders(spaceId), enabled, staleTime: 0, retry: 1 });
}

/** A cancelled Space's refunds, read every 2 s while any is on its way (or none started yet), then no more. */
export function useRefundProgress(spaceId: string) {
  return useQuery({
    queryKey: ['refund-progress', spaceId],
    queryFn: () => ticketHolders(spaceId),
    refetchInterval: (query) => {
      const data = query.state.data;
      const settled = data !== undefined && data.refunding === 0 && data.sold === 0;
      return settled ? false : Math.min(30_000, 2_000 * 2 ** query.state.fetchFailureCount);
    },
  });
}

/** "1 ticket" · "3 tickets". */
export const tickets = (n: number) => (n === 1 ? '1 ticket' : `${n} tickets`);

/** The line a cancelled ticketed Space shows while its refunds run, and after. */
export function refundProgressLine(h: TicketHolders): string {
  if (!h.ticketed || h.refunded + h.refunding + h.sold === 0) return 'Cancelled: no tickets had been sold.';
  if (h.refunding + h.sold > 0) return `Cancelled: refunding ${tickets(h.refunding + h.sold)}… (${h.refunded} done)`;
  return `Cancelled: every ticket refunded (${tickets(h.refunded)}, ${h.refundedAmount ?? ''} back to buyers).`;
}

/** "7 days" · "36 hours" · "1 hour": how long buyers may ask for a refund after a move. */
export function windowText(hours: number): string {
  if (hours % 24 === 0) return hours === 24 ? '1 day' : `${hours / 24} days`;
  return hours === 1 ? '1 hour' : `${hours} hours`;
}

/** What the edit form says about moving a Space with `sold` tickets. */
export function moveNote(h: TicketHolders): string | undefined {
  if (h.sold === 0) return undefined;
  const window = h.refundWindowHours ? ` for ${windowText(h.refundWindowHours)} after the move` : '';
  return `${tickets(h.sold)} sold. If you move the Space, buyers keep their tickets: their page tells them the new time and lets them ask for a refund${window}.`;
}
