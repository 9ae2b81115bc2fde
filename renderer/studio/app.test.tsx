// @vitest-environment happy-dom
/** The studio app owns one program mix (an AudioContext): it is closed when the app unmounts. */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, render } from '@testing-library/react';
import { StrictMode } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { installFakeStudio } from '../test/fake-studio.ts';
import { App } from './app.tsx';

const mixes = vi.hoisted(() => [] as Array<{ closed: boolean }>);

vi.mock('../lib/program-mix.ts', async () => {
  const { FakeProgramMix } = await import('../lib/mix/fake-program-mix.ts');
  return {
    ProgramMix: class extends FakeProgramMix {
      constructor() {
        super();
        mixes.push(this);
      }
    },
  };
});

afterEach(cleanup);

describe('App', () => {
  it('closes its program mix on unmount, leaving none open', async () => {
    Object.defineProperty(navigator, 'mediaDevices', {
      configurable: true,
      value: { getUserMedia: () => new Promise(() => undefined), enumerateDevices: async () => [], addEventListener() {}, removeEventListener() {} },
    });
    installFakeStudio({
      'studio:settings:get': () => ({ ok: true, data: { microphoneId: null, spaceTitle: 'My Space' } }),
      'studio:server:getStatus': () => ({ ok: true, data: { state: 'running', url: 'http://127.0.0.1:4400', restarts: 0, message: null } }),
    });
    const view = render(
      <StrictMode>
        <QueryClientProvider client={new QueryClient()}>
          <App />
        </QueryClientProvider>
      </StrictMode>,
    );
    await view.findByRole('meter', { name: 'Microphone level' });
    expect(mixes.filter((m) => !m.closed)).toHaveLength(1);
    view.unmount();
    expect(mixes.length).toBeGreaterThan(0);
    expect(mixes.filter((m) => !m.closed)).toEqual([]);
  });
});
