// @vitest-environment happy-dom
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { StudioAccount } from '../../../../../electron/contract.ts';
import { installFakeStudio } from '../../../../test/fake-studio.ts';
import { accountKey } from '../api/account.ts';
import { AccountCard } from './account-card.tsx';

afterEach(cleanup);

const account = (over: Partial<StudioAccount> = {}): StudioAccount => ({
  id: 'a2',
  handle: 'new_host',
  displayName: 'New Host',
  followers: 1,
  mayHost: false,
  followersNeeded: 599,
  sessionToken: 'session-token-0123456789',
  ...over,
});

function renderCard(value: StudioAccount): QueryClient {
  const client = new QueryClient();
  client.setQueryData(accountKey, value);
  render(
    <QueryClientProvider client={client}>
      <AccountCard account={value} />
    </QueryClientProvider>,
  );
  return client;
}

describe('AccountCard', () => {
  it('says who is signed in and how many more followers hosting needs', () => {
    installFakeStudio({});
    renderCard(account());
    const card = screen.getByLabelText('Your account');
    expect(card.textContent).toContain('New Host');
    expect(card.textContent).toContain('@new_host');
    expect(card.textContent).toContain('1 follower');
    expect(screen.getByRole('status').textContent).toBe('Hosting needs more followers: you need 599 more.');
  });

  it('shows no notice to an account that may host', () => {
    installFakeStudio({});
    renderCard(account({ handle: 'demo_creator', displayName: 'Demo Creator', followers: 603, mayHost: true, followersNeeded: 0 }));
    expect(screen.getByLabelText('Your account').textContent).toContain('603 followers');
    expect(screen.queryByRole('status')).toBeNull();
  });

  it('signs out, and the studio then has no account', async () => {
    const studio = installFakeStudio({ 'studio:account:signOut': () => ({ ok: true, data: null }) });
    const client = renderCard(account());
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Sign out' })));
    expect(studio.calls.map((c) => c.channel)).toEqual(['studio:account:signOut']);
    expect(client.getQueryData(accountKey)).toBeNull();
  });
});
