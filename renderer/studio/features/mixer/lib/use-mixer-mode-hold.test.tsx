// @vitest-environment happy-dom
/**
 * The premiere's hold on the mixer mode (useMixer's modeOverride, which the app
 * sets while a premiere track is loaded): the mix runs in music mode, what is
 * stored stays the host's own mode (even when the host changes something else
 * meanwhile), and releasing the hold brings that mode back.
 */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, cleanup, renderHook, waitFor } from '@testing-library/react';
import type { ReactNode } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_MIXER, type MixerSettings } from '../../../../../electron/contract.ts';
import { FakeProgramMix } from '../../../../lib/mix/fake-program-mix.ts';
import type { ProgramMix } from '../../../../lib/program-mix.ts';
import { installFakeStudio } from '../../../../test/fake-studio.ts';
import { useMixer } from './use-mixer.ts';

afterEach(cleanup);

describe('a premiere holding music mode', () => {
  it('runs the mix in music mode without storing it, and gives the host’s voice mode back when released', async () => {
    const stored = { microphoneId: null, spaceTitle: 'Show', mixer: { ...DEFAULT_MIXER, mode: 'voice' as const } };
    const studio = installFakeStudio({
      'studio:settings:get': () => ({ ok: true, data: stored }),
      'studio:settings:update': (patch) => ({ ok: true, data: { ...stored, ...(patch as object) } }),
    });
    const mix = new FakeProgramMix();
    const client = new QueryClient();
    const wrapper = ({ children }: { children: ReactNode }) => <QueryClientProvider client={client}>{children}</QueryClientProvider>;
    const { result, rerender } = renderHook(({ hold }: { hold: 'music' | null }) => useMixer(mix as unknown as ProgramMix, hold), { wrapper, initialProps: { hold: 'music' } });
    await waitFor(() => expect(result.current.loaded).toBe(true));
    expect(result.current.mixer.mode).toBe('music');
    expect(mix.mode).toBe('music');

    // The host moves a fader meanwhile: what is saved keeps their own mode.
    act(() => result.current.setChannel('mic', { gainDb: -6 }));
    await waitFor(() => expect(studio.calls.some((c) => c.channel === 'studio:settings:update')).toBe(true), { timeout: 2000 });
    const saved = studio.calls.filter((c) => c.channel === 'studio:settings:update').at(-1)!.input as { mixer: MixerSettings };
    expect(saved.mixer.mode).toBe('voice');
    expect(saved.mixer.channels.mic.gainDb).toBe(-6);
    expect(mix.mode).toBe('music');

    rerender({ hold: null });
    expect(result.current.mixer.mode).toBe('voice');
    expect(mix.mode).toBe('voice');
  });
});
