// @vitest-environment happy-dom
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, fireEvent, render, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { IpcReply } from '../../../../../electron/contract.ts';
import { installFakeStudio } from '../../../../test/fake-studio.ts';
import { salesPath } from './sales-chart.tsx';
import { SalesDashboard, salesPollDelay } from './sales-dashboard.tsx';

afterEach(cleanup);

const report = (sold: number) => ({
  ticketed: true,
  currency: 'usd',
  price: 500,
  capacity: 10,
  sold,
  held: 1,
  left: 10 - sold - 1,
  refunding: 0,
  refunded: 0,
  disputed: 0,
  gross: sold * 500,
  platformFee: sold * 50,
  hostNet: sold * 450,
  refundedAmount: 0,
  series: Array.from({ length: sold }, (_, i) => ({ at: new Date(Date.UTC(2026, 10, 27, 9, i)).toISOString(), total: i + 1 })),
});

describe('SalesDashboard', () => {
  it('shows sold, held, left, gross, fee and net, and follows new sales live', async () => {
    let sold = 2;
    const studio = installFakeStudio({ 'studio:tickets:sales': (): IpcReply => ({ ok: true, data: report(sold) }) });
    const view = render(
      <QueryClientProvider client={new QueryClient()}>
        <SalesDashboard spaceId="sp1" />
      </QueryClientProvider>,
    );
    // Nothing is read until the host opens it.
    expect(studio.calls).toHaveLength(0);
    fireEvent.click(view.getByRole('button', { name: 'Sales' }));
    await waitFor(() => expect(view.getByTestId('sales-sold').textContent).toBe('2'));
    expect(view.getByTestId('sales-held').textContent).toBe('1');
    expect(view.getByTestId('sales-left').textContent).toBe('7');
    expect(view.getByTestId('sales-gross').textContent).toBe('10.00 USD');
    expect(view.getByTestId('sales-fee').textContent).toBe('1.00 USD');
    expect(view.getByTestId('sales-net').textContent).toBe('9.00 USD');
    expect(view.getByRole('img').getAttribute('aria-label')).toBe('Tickets sold over time: 2 so far');
    sold = 3;
    await waitFor(() => expect(view.getByTestId('sales-sold').textContent).toBe('3'), { timeout: 5_000 });
    expect(studio.calls.every((c) => c.channel === 'studio:tickets:sales' && (c.input as { spaceId: string }).spaceId === 'sp1')).toBe(true);
  });

  it('shows refunds with the money given back, and those on the way', async () => {
    installFakeStudio({ 'studio:tickets:sales': (): IpcReply => ({ ok: true, data: { ...report(0), refunded: 2, refunding: 1, refundedAmount: 1000, gross: 500 } }) });
    const view = render(
      <QueryClientProvider client={new QueryClient()}>
        <SalesDashboard spaceId="sp1" />
      </QueryClientProvider>,
    );
    fireEvent.click(view.getByRole('button', { name: 'Sales' }));
    await waitFor(() => expect(view.getByTestId('sales-refunded').textContent).toBe('2 · 10.00 USD (1 on the way)'));
  });

  it('says when sales cannot be read, and backs off', async () => {
    installFakeStudio({ 'studio:tickets:sales': (): IpcReply => ({ ok: false, error: { code: 'PERMISSION_DENIED', message: 'Only the host sees the sales.' } }) });
    const view = render(
      <QueryClientProvider client={new QueryClient()}>
        <SalesDashboard spaceId="sp1" />
      </QueryClientProvider>,
    );
    fireEvent.click(view.getByRole('button', { name: 'Sales' }));
    expect((await view.findByRole('status')).textContent).toMatch(/could not be read/);
    expect([0, 1, 2, 3, 10].map(salesPollDelay)).toEqual([2_000, 4_000, 8_000, 16_000, 30_000]);
  });
});

describe('sales chart', () => {
  it('draws a step line from the first sale to now, topped by the capacity', () => {
    const t0 = Date.UTC(2026, 10, 27, 9, 0);
    expect(salesPath([], 10, t0)).toBe('');
    const path = salesPath(
      [
        { at: new Date(t0).toISOString(), total: 5 },
        { at: new Date(t0 + 60_000).toISOString(), total: 10 },
      ],
      10,
      t0 + 120_000,
    );
    // Starts at the bottom left, steps to half the height, then to the top, and runs on to now (the right edge).
    expect(path).toBe('M4.0,92.0 H4.0 V48.0 H160.0 V4.0 H316.0');
  });
});
