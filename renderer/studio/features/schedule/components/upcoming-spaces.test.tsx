// @vitest-environment happy-dom
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, fireEvent, render, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SpaceJson } from '../../../../../electron/contract.ts';
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

function mount(spaces: SpaceJson[], onGoLive = vi.fn()) {
  const studio = installFakeStudio({
    'studio:spaces:listUpcoming': () => ({ ok: true, data: { spaces } }),
    'studio:spaces:schedule': (input) => ({ ok: true, data: { ...SPACE, id: 'sp2', ...(input as object) } }),
    'studio:spaces:cancel': () => ({ ok: true, data: { ...SPACE, status: 'cancelled' } }),
  });
  const view = render(
    <QueryClientProvider client={new QueryClient()}>
      <UpcomingSpaces onGoLive={onGoLive} canGoLive />
    </QueryClientProvider>,
  );
  return { studio, view, onGoLive };
}

describe('UpcomingSpaces', () => {
  it('lists a scheduled Space with its time and starts it on "Go live now"', async () => {
    const { view, onGoLive } = mount([SPACE]);
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
    fireEvent.click(view.getByRole('button', { name: 'Cancel this Space' }));
    await waitFor(() => expect(studio.calls.find((c) => c.channel === 'studio:spaces:cancel')?.input).toEqual({ spaceId: 'sp1' }));
  });
});
