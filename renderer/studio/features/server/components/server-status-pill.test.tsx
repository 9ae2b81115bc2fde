// @vitest-environment happy-dom
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { installFakeStudio } from '../../../../test/fake-studio.ts';
import { ServerStatusPill } from './server-status-pill.tsx';

afterEach(cleanup);

describe('ServerStatusPill', () => {
  it('shows the server state and follows status events from the studio', async () => {
    const studio = installFakeStudio({
      'studio:server:getStatus': () => ({ ok: true, data: { state: 'running', url: 'http://127.0.0.1:4400', restarts: 0, message: null } }),
    });
    render(
      <QueryClientProvider client={new QueryClient()}>
        <ServerStatusPill />
      </QueryClientProvider>,
    );
    expect(await screen.findByText('Server ready')).toBeTruthy();
    act(() => studio.emit('studio:server:statusChanged', { state: 'restarting', url: null, restarts: 1, message: 'The server stopped (code null); restarting.' }));
    const pill = await screen.findByText('Server restarting…');
    expect(pill.getAttribute('data-state')).toBe('restarting');
    expect(pill.getAttribute('title')).toContain('restarting');
    expect(studio.calls.map((c) => c.channel)).toEqual(['studio:server:getStatus']);
  });
});
