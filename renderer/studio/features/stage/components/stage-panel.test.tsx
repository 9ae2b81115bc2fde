// @vitest-environment happy-dom
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { installFakeStudio } from '../../../../test/fake-studio.ts';
import { StagePanel } from './stage-panel.tsx';

afterEach(cleanup);

const track = {} as MediaStreamTrack;

describe('StagePanel', () => {
  it('cannot go live before the microphone is ready', () => {
    installFakeStudio({});
    render(<StagePanel track={track} ready={false} defaultTitle="Morning show" />);
    expect((screen.getByRole('button', { name: 'Go live' }) as HTMLButtonElement).disabled).toBe(true);
    expect((screen.getByLabelText('Space title') as HTMLInputElement).value).toBe('Morning show');
  });

  it('says in a sentence why going live failed when the server is not running', async () => {
    const studio = installFakeStudio({
      'studio:server:getConnection': () => ({ ok: false, error: { code: 'UNAVAILABLE', message: 'The server is not running yet.' } }),
    });
    render(<StagePanel track={track} ready defaultTitle="Morning show" />);
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Go live' })));
    expect((await screen.findByRole('alert')).textContent).toBe('The server is not running yet.');
    expect(studio.calls.map((c) => c.channel)).toEqual(['studio:server:getConnection']);
    expect((screen.getByRole('button', { name: 'Go live' }) as HTMLButtonElement).disabled).toBe(false);
  });

  it('offers a new co-host to join the stage of the Space they accepted, and says why joining failed', async () => {
    const studio = installFakeStudio({
      'studio:server:getConnection': () => ({ ok: false, error: { code: 'UNAVAILABLE', message: 'The server is not running yet.' } }),
    });
    let done = 0;
    render(<StagePanel track={track} ready defaultTitle="Morning show" cohostOf="space1" onCohostDone={() => done++} />);
    expect(screen.queryByRole('button', { name: 'Go live' })).toBeNull();
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Join the stage as co-host' })));
    expect((await screen.findByRole('alert')).textContent).toBe('The server is not running yet.');
    expect(studio.calls.map((c) => c.channel)).toEqual(['studio:server:getConnection']);
    fireEvent.click(screen.getByRole('button', { name: 'Not now' }));
    expect(done).toBe(1);
  });
});
