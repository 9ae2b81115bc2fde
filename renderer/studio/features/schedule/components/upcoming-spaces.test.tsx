// @vitest-environment happy-dom
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, fireEvent, render, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { MethodOutput, SpaceJson } from '../../../../../electron/contract.ts';

type SalesReportJson = MethodOutput<'studio:tickets:sales'>;
import { installFakeStudio } from '../../../../test/fake-studio.ts';
import { UpcomingSpaces } from './upcoming-spaces.tsx';

afterEach(cleanup);

const SPACE: SpaceJson = {
  id: 'sp1',
  title: 'Album night',
  status: 'scheduled',
  scheduledFor: '2026-12-01T17:30:00.000Z',
  timeZone: 'Europe/Berlin',
  startedAt: null,
  endedAt: null,
  endReason: null,
  createdAt: '2026-11-27T10:00:00.000Z',
  link: 'http://127.0.0.1:4400/s/sp1',
};

const FREE: SalesReportJson = { ticketed: false, currency: null, price: null, capacity: 0, sold: 0, held: 0, left: 0, refunding: 0, refunded: 0, disputed: 0, gross: 0, platformFee: 0, hostNet: 0, refundedAmount: 0, series: [] };
const SOLD: SalesReportJson = { ...FREE, refundWindowHours: 168, ticketed: true, currency: 'usd', price: 500, capacity: 10, sold: 2, left: 8, gross: 1000, platformFee: 100, hostNet: 900 };

/** The studio with `spaces` upcoming; `sales` answers each read of a Space's sales in turn (the last one repeats). */
function mount(spaces: SpaceJson[], options: { onGoLive?: () => void; sales?: SalesReportJson[] } = {}) {
  let list = spaces;
  const sales = [...(options.sales ?? [FREE])];
  const studio = installFakeStudio({
    'studio:spaces:listUpcoming': () => ({ ok: true, data: { spaces: list } }),
    'studio:spaces:schedule': (input) => ({ ok: true, data: { ...SPACE, id: 'sp2', ...(input as object) } }),
    'studio:spaces:cancel': () => {
      list = [];
      return { ok: true, data: { ...SPACE, status: 'cancelled' } };
    },
    'studio:tickets:sales': () => ({ ok: true, data: sales.length > 1 ? sales.shift() : sales[0] }),
  });
  const onGoLive = options.onGoLive ?? vi.fn();
  const view = render(
    <QueryClientProvider client={new QueryClient()}>
      <UpcomingSpaces onGoLive={onGoLive} canGoLive cancelledExtra={(space) => <p>sales of {space.id}</p>} />
    </QueryClientProvider>,
  );
  return { studio, view, onGoLive };
}

describe('UpcomingSpaces', () => {
  it('lists a scheduled Space with its time and starts it on "Go live now"', async () => {
    const onGoLive = vi.fn();
    const { view } = mount([SPACE], { onGoLive });
    const item = await view.findByRole('listitem', { name: 'Album night' });
    expect(item.querySelector('time')?.getAttribute('datetime')).toBe(SPACE.scheduledFor);
    fireEvent.click(view.getByRole('button', { name: 'Go live now' }));
    expect(onGoLive).toHaveBeenCalledWith(SPACE);
  });

  it('schedules with the start read on the clock of the chosen zone', async () => {
    const { view, studio } = mount([]);
    fireEvent.click(await view.findByRole('button', { name: 'Schedule a Space' }));
    fireEvent.change(view.getByLabelText('Title'), { target: { value: 'Premiere' } });
    fireEvent.change(view.getByLabelText('Time zone'), { target: { value: 'Asia/Tokyo' } });
    fireEvent.change(view.getByLabelText('Starts'), { target: { value: '2026-12-02T02:30' } });
    fireEvent.click(view.getByRole('button', { name: 'Schedule' }));
    await waitFor(() => expect(studio.calls.some((c) => c.channel === 'studio:spaces:schedule')).toBe(true));
    expect(studio.calls.find((c) => c.channel === 'studio:spaces:schedule')!.input).toEqual({ title: 'Premiere', startsAt: '2026-12-01T17:30:00.000Z', timeZone: 'Asia/Tokyo', premiere: false });
  });

  it('schedules a premiere when the host ticks it', async () => {
    const { view, studio } = mount([]);
    fireEvent.click(await view.findByRole('button', { name: 'Schedule a Space' }));
    fireEvent.change(view.getByLabelText('Title'), { target: { value: 'Album night' } });
    fireEvent.change(view.getByLabelText('Time zone'), { target: { value: 'Asia/Tokyo' } });
    fireEvent.change(view.getByLabelText('Starts'), { target: { value: '2026-12-02T02:30' } });
    fireEvent.click(view.getByLabelText(/This is a premiere/));
    fireEvent.click(view.getByRole('button', { name: 'Schedule' }));
    await waitFor(() => expect(studio.calls.some((c) => c.channel === 'studio:spaces:schedule')).toBe(true));
    expect(studio.calls.find((c) => c.channel === 'studio:spaces:schedule')!.input).toMatchObject({ title: 'Album night', premiere: true });
  });

  it('cancels only after asking', async () => {
    const { view, studio } = mount([SPACE]);
    fireEvent.click(await view.findByRole('button', { name: 'Cancel…' }));
    expect(studio.calls.some((c) => c.channel === 'studio:spaces:cancel')).toBe(false);
    const confirm = await view.findByRole('group', { name: 'Cancel this Space?' });
    await waitFor(() => expect(confirm.textContent).toContain('cannot be undone'));
    fireEvent.click(view.getByRole('button', { name: 'Cancel this Space' }));
    await waitFor(() => expect(studio.calls.find((c) => c.channel === 'studio:spaces:cancel')?.input).toEqual({ spaceId: 'sp1' }));
    // A free Space leaves the list.
    await waitFor(() => expect(view.queryByRole('listitem', { name: 'Album night' })).toBeNull());
  });

  it('says how many tickets a cancel refunds, then keeps the Space with its refunds until every one is back', async () => {
    const { view, studio } = mount([SPACE], {
      sales: [SOLD, SOLD, { ...SOLD, sold: 0, refunding: 2 }, { ...SOLD, sold: 0, refunding: 1, refunded: 1, refundedAmount: 500 }, { ...SOLD, sold: 0, refunded: 2, refundedAmount: 1000, gross: 0 }],
    });
    fireEvent.click(await view.findByRole('button', { name: 'Cancel…' }));
    const confirm = await view.findByRole('group', { name: 'Cancel this Space?' });
    await waitFor(() => expect(confirm.textContent).toContain('2 tickets sold. Cancelling refunds every buyer in full (10.00 USD)'));
    fireEvent.click(view.getByRole('button', { name: 'Cancel and refund 2 tickets' }));
    await waitFor(() => expect(studio.calls.some((c) => c.channel === 'studio:spaces:cancel')).toBe(true));
    const kept = await view.findByRole('listitem', { name: 'Album night' });
    expect(kept.textContent).toContain('Cancelled');
    expect(kept.textContent).toContain('sales of sp1');
    await waitFor(() => expect(kept.querySelector('[role="status"]')?.textContent).toMatch(/refunding 2 tickets/), { timeout: 5000 });
    await waitFor(() => expect(kept.querySelector('[role="status"]')?.textContent).toBe('Cancelled: every ticket refunded (2 tickets, 10.00 USD back to buyers).'), { timeout: 10_000 });
    fireEvent.click(view.getByRole('button', { name: 'Remove from the list' }));
    expect(view.queryByRole('listitem', { name: 'Album night' })).toBeNull();
  }, 20_000);

  it('shows a cancelled Space the server lists (cancelled lately with tickets) with its refunds, apart from the upcoming ones', async () => {
    const cancelled: SpaceJson = { ...SPACE, id: 'sp9', title: 'Called off', status: 'cancelled' };
    const { view } = mount([SPACE, cancelled], { sales: [{ ...SOLD, sold: 0, refunded: 2, refundedAmount: 1000, gross: 0 }] });
    const item = await view.findByRole('listitem', { name: 'Called off' });
    expect(item.textContent).toContain('Cancelled');
    expect(item.querySelector('button.primary')).toBeNull();
    await waitFor(() => expect(item.querySelector('[role="status"]')?.textContent).toBe('Cancelled: every ticket refunded (2 tickets, 10.00 USD back to buyers).'));
    expect(view.getByRole('listitem', { name: 'Album night' }).textContent).toContain('Go live now');
    expect(view.queryByText(/Nothing scheduled/)).toBeNull();
    fireEvent.click(view.getByRole('button', { name: 'Remove from the list' }));
    expect(view.queryByRole('listitem', { name: 'Called off' })).toBeNull();
  });

  it('tells the host, while moving a Space with tickets sold, that buyers keep them', async () => {
    const { view } = mount([SPACE], { sales: [SOLD] });
    fireEvent.click(await view.findByRole('button', { name: 'Edit' }));
    expect((await view.findByText(/buyers keep their tickets/)).textContent).toBe(
      '2 tickets sold. If you move the Space, buyers keep their tickets: their page tells them the new time and lets them ask for a refund for 7 days after the move.',
    );
  });
});
