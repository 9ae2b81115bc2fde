// @vitest-environment happy-dom
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { StudioAccount } from '../../../../../electron/contract.ts';
import { DEMO_ACCOUNT } from '../../../../test/demo-account.ts';
import { installFakeStudio } from '../../../../test/fake-studio.ts';
import { useAccount } from './account.ts';

afterEach(cleanup);

const demo = DEMO_ACCOUNT;

function Who() {
  const account = useAccount();
  return <p>{account.data === undefined ? 'loading' : account.data ? `@${account.data.handle}` : 'signed out'}</p>;
}

describe('useAccount', () => {
  it('asks again when the server runs again after a restart, so a lost session shows as signed out', async () => {
    let known: StudioAccount | null = demo;
    const studio = installFakeStudio({ 'studio:account:get': () => ({ ok: true, data: known }) });
    render(
      <QueryClientProvider client={new QueryClient()}>
        <Who />
      </QueryClientProvider>,
    );
    expect(await screen.findByText('@demo_creator')).toBeTruthy();

    // The restarted server's database no longer knows the session: the studio forgot it.
    known = null;
    act(() => studio.emit('studio:server:statusChanged', { state: 'restarting', url: null, restarts: 1, message: 'restarting' }));
    expect(screen.getByText('@demo_creator')).toBeTruthy();
    act(() => studio.emit('studio:server:statusChanged', { state: 'running', url: 'http://127.0.0.1:4400', restarts: 1, message: null }));
    expect(await screen.findByText('signed out')).toBeTruthy();
    expect(studio.calls.map((c) => c.channel)).toEqual(['studio:account:get', 'studio:account:get']);
  });
});
