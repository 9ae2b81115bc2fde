// @vitest-environment happy-dom
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, fireEvent, render, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { Channel, IpcReply } from '../../../../../electron/contract.ts';
import { installFakeStudio } from '../../../../test/fake-studio.ts';
import { checkStripeKeys, StripeKeysCard } from './stripe-keys-card.tsx';

afterEach(cleanup);

const KEYS = { secretKey: 'sk_test_cardkey0123456789wxyz', webhookSecret: 'whsec_cardsecret0123456789' };
const NONE = { server: 'bundled', saved: null, problem: null };
const SAVED = { server: 'bundled', saved: { secretKey: 'sk_test_…wxyz', livemode: false }, problem: null };

function mount(replies: Partial<Record<Channel, (input: unknown) => IpcReply>>) {
  const studio = installFakeStudio(replies);
  const view = render(
    <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
      <StripeKeysCard />
    </QueryClientProvider>,
  );
  return { studio, view };
}

function fill(view: ReturnType<typeof render>, keys: { secretKey: string; webhookSecret: string }) {
  fireEvent.change(view.getByLabelText('Secret key'), { target: { value: keys.secretKey } });
  fireEvent.change(view.getByLabelText('Webhook signing secret'), { target: { value: keys.webhookSecret } });
  fireEvent.click(view.getByRole('button', { name: 'Save keys' }));
}

describe('StripeKeysCard', () => {
  it('says ticketing is off without keys, saves them, then shows only the masked key', async () => {
    let status: unknown = NONE;
    const { view, studio } = mount({
      'studio:stripe:getKeys': () => ({ ok: true, data: status }),
      'studio:stripe:saveKeys': () => ((status = SAVED), { ok: true, data: SAVED }),
    });
    expect((await view.findByRole('status')).textContent).toContain('Ticket sales are off: no Stripe keys are set');
    fill(view, { secretKey: `  ${KEYS.secretKey} `, webhookSecret: KEYS.webhookSecret });
    await waitFor(() => expect(view.getByRole('status').getAttribute('data-stripe-keys')).toBe('connected'));
    expect(view.getByRole('status').textContent).toBe('Connected: sk_test_…wxyz (test mode)');
    expect(studio.calls.find((c) => c.channel === 'studio:stripe:saveKeys')?.input).toEqual(KEYS);
    expect(view.queryByLabelText('Secret key')).toBeNull();
    expect(document.body.innerHTML).not.toContain(KEYS.secretKey);
    expect(view.getByRole('button', { name: 'Replace keys' })).toBeTruthy();
  });

  it('checks the keys by the contract rules before sending anything', async () => {
    const { view, studio } = mount({ 'studio:stripe:getKeys': () => ({ ok: true, data: NONE }) });
    await view.findByLabelText('Secret key');
    fill(view, { secretKey: 'pk_test_cardkey0123456789wxyz', webhookSecret: 'cardsecret' });
    const alerts = await view.findAllByRole('alert');
    expect(alerts.map((a) => a.textContent)).toEqual([
      'This must be a Stripe secret key (sk_test_…, sk_live_… or a restricted rk_… key)',
      'This must be a webhook signing secret (whsec_…)',
    ]);
    expect(studio.calls.map((c) => c.channel)).not.toContain('studio:stripe:saveKeys');
    expect(checkStripeKeys(KEYS)).toEqual({ keys: KEYS });
  });

  it('replaces and removes saved keys', async () => {
    let status: unknown = SAVED;
    const { view, studio } = mount({
      'studio:stripe:getKeys': () => ({ ok: true, data: status }),
      'studio:stripe:saveKeys': () => ({ ok: true, data: { ...SAVED, saved: { secretKey: 'sk_live_…abcd', livemode: true } } }),
      'studio:stripe:removeKeys': () => ((status = NONE), { ok: true, data: NONE }),
    });
    fireEvent.click(await view.findByRole('button', { name: 'Replace keys' }));
    fill(view, { secretKey: 'sk_live_cardkey0123456789abcd', webhookSecret: KEYS.webhookSecret });
    await waitFor(() => expect(view.getByRole('status').textContent).toBe('Connected: sk_live_…abcd (live: real payments)'));
    fireEvent.click(view.getByRole('button', { name: 'Remove keys' }));
    await waitFor(() => expect(view.getByRole('status').getAttribute('data-stripe-keys')).toBe('none'));
    expect(studio.calls.map((c) => c.channel)).toContain('studio:stripe:removeKeys');
  });

  it('shows a saved file the server would refuse, and a failed save', async () => {
    const { view } = mount({
      'studio:stripe:getKeys': () => ({ ok: true, data: { ...NONE, problem: 'the Stripe key file /x may be read by other users (mode 0644)' } }),
      'studio:stripe:saveKeys': () => ({ ok: false, error: { code: 'UNAVAILABLE', message: 'The Stripe keys are changed, but the server did not restart: boom' } }),
    });
    expect((await view.findByRole('alert')).textContent).toContain('mode 0644');
    expect(view.getByRole('button', { name: 'Remove keys' })).toBeTruthy();
    fill(view, KEYS);
    await waitFor(() => expect(view.getAllByRole('alert').map((a) => a.textContent)).toContain('The Stripe keys are changed, but the server did not restart: boom'));
  });

  it('says the keys of a remote server are set there', async () => {
    const { view } = mount({ 'studio:stripe:getKeys': () => ({ ok: true, data: { server: 'remote', saved: null, problem: null } }) });
    expect((await view.findByRole('status')).textContent).toContain('remote server');
    expect(view.queryByLabelText('Secret key')).toBeNull();
  });
});
