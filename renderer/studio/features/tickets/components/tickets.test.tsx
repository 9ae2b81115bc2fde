// @vitest-environment happy-dom
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, fireEvent, render, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { Channel, IpcReply } from '../../../../../electron/contract.ts';
import { installFakeStudio } from '../../../../test/fake-studio.ts';
import { PayoutsCard } from './payouts-card.tsx';
import { TicketPricing } from './ticket-pricing.tsx';

afterEach(cleanup);

const PAYOUTS = { available: true, connected: true, chargesEnabled: false, payoutsEnabled: false, detailsSubmitted: false, requirementsDue: ['external_account', 'tos_acceptance.date'], defaultCurrency: 'usd' };
const OFFER = { ticketed: true as const, spaceId: 'sp1', currency: 'usd', amount: 500, price: '5.00 USD', capacity: 10, sold: 0, held: 0, left: 10, salesOpenAt: null, salesCloseAt: null, sales: 'open' as const, mine: null };

function mount(node: React.ReactNode, replies: Partial<Record<Channel, (input: unknown) => IpcReply>>) {
  const studio = installFakeStudio(replies);
  const view = render(<QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>{node}</QueryClientProvider>);
  return { studio, view };
}

describe('PayoutsCard', () => {
  it('says what Stripe still needs and opens onboarding', async () => {
    const { view, studio } = mount(<PayoutsCard />, {
      'studio:tickets:payoutStatus': () => ({ ok: true, data: PAYOUTS }),
      'studio:tickets:connectPayouts': () => ({ ok: true, data: { url: 'https://connect.stripe.test/onboard/1', status: PAYOUTS } }),
    });
    const needs = await view.findByRole('list', { name: 'What Stripe still needs' });
    expect(needs.textContent).toContain('a bank account for payouts');
    expect(needs.textContent).toContain('accepting Stripe’s terms');
    fireEvent.click(view.getByRole('button', { name: 'Continue payout set-up' }));
    const link = await view.findByRole('link', { name: 'Open Stripe to set up payouts' });
    expect(link.getAttribute('href')).toBe('https://connect.stripe.test/onboard/1');
    expect(studio.calls.map((c) => c.channel)).toContain('studio:tickets:connectPayouts');
  });

  it('says clearly when the server has no Stripe', async () => {
    const { view } = mount(<PayoutsCard />, { 'studio:tickets:payoutStatus': () => ({ ok: true, data: { ...PAYOUTS, available: false, connected: false } }) });
    expect((await view.findByRole('status')).textContent).toContain('Ticket sales need Stripe to be connected on this server');
  });
});

describe('TicketPricing', () => {
  it('prices a free Space in major units and shows the rule', async () => {
    const { view, studio } = mount(<TicketPricing spaceId="sp1" />, {
      'studio:tickets:get': () => ({ ok: true, data: { ticketed: false, paymentsAvailable: true } }),
      'studio:tickets:set': (input) => ({ ok: true, data: { ...OFFER, ...(input as object) } }),
    });
    fireEvent.click(view.getByRole('button', { name: 'Tickets' }));
    await view.findByText(/This Space is free/);
    expect(view.getByText(/From 0\.50 USD \(Stripe’s minimum\) to 1000\.00 USD/)).toBeTruthy();
    fireEvent.change(view.getByLabelText('Price'), { target: { value: '4.999' } });
    fireEvent.click(view.getByRole('button', { name: 'Sell tickets' }));
    expect((await view.findByRole('alert')).textContent).toContain('like 4.99');
    fireEvent.change(view.getByLabelText('Price'), { target: { value: '4.99' } });
    fireEvent.change(view.getByLabelText('Tickets'), { target: { value: '25' } });
    fireEvent.click(view.getByRole('button', { name: 'Sell tickets' }));
    await waitFor(() => expect(studio.calls.find((c) => c.channel === 'studio:tickets:set')?.input).toEqual({ spaceId: 'sp1', currency: 'usd', amount: 499, capacity: 25, salesOpenAt: null, salesCloseAt: null }));
  });

  it('after the first sale locks the price and sends only the count and close time', async () => {
    const sold = { ...OFFER, sold: 3, held: 1, left: 6 };
    const { view, studio } = mount(<TicketPricing spaceId="sp1" />, {
      'studio:tickets:get': () => ({ ok: true, data: sold }),
      'studio:tickets:set': () => ({ ok: true, data: sold }),
    });
    fireEvent.click(view.getByRole('button', { name: 'Tickets' }));
    expect((await view.findByRole('status')).textContent).toBe('5.00 USD · 3 sold · 1 being bought · 6 left of 10');
    expect((view.getByLabelText('Price') as HTMLInputElement).disabled).toBe(true);
    expect(view.queryByRole('button', { name: 'Make it free' })).toBeNull();
    expect(view.getByText(/price is fixed/)).toBeTruthy();
    fireEvent.change(view.getByLabelText('Tickets'), { target: { value: '12' } });
    fireEvent.click(view.getByRole('button', { name: 'Save tickets' }));
    await waitFor(() => expect(studio.calls.find((c) => c.channel === 'studio:tickets:set')?.input).toEqual({ spaceId: 'sp1', capacity: 12, salesCloseAt: null }));
  });
});
