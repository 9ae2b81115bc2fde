import { describe, expect, it } from 'vitest';
import { SpacecraftError } from '../../server/errors.ts';
import { createStudioApi, DEFAULT_MIXER, DEFAULT_PREMIERE, StudioError, type IpcReply } from '../contract.ts';
import { MemorySettingsStore } from '../settings/settings-store.ts';
import { createStudioServices } from '../studio-services.ts';
import { createDispatcher } from './dispatcher.ts';

const services = () =>
  createStudioServices({ settings: new MemorySettingsStore(), supervisor: null, remote: { url: 'http://127.0.0.1:4400' } });

describe('IPC dispatcher', () => {
  it('runs a valid call', async () => {
    const dispatch = createDispatcher(services().handlers);
    expect(await dispatch('studio:settings:update', { microphoneId: 'mic-2' })).toEqual({ ok: true, data: { microphoneId: 'mic-2', spaceTitle: 'My Space', mixer: DEFAULT_MIXER, premiere: DEFAULT_PREMIERE } });
  });

  it.each([
    ['a wrong type', { microphoneId: 42 }],
    ['an unknown key', { volume: 11 }],
    ['a title too long', { spaceTitle: 'x'.repeat(500) }],
    ['not an object', 'mic-2'],
  ])('rejects %s with a VALIDATION error before the handler runs', async (_what, input) => {
    const settings = new MemorySettingsStore();
    const dispatch = createDispatcher(createStudioServices({ settings, supervisor: null, remote: null }).handlers);
    const reply = await dispatch('studio:settings:update', input);
    expect(reply).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(settings.get().microphoneId).toBeNull();
  });

  it('rejects an argument to a method that takes none', async () => {
    const dispatch = createDispatcher(services().handlers);
    expect(await dispatch('studio:settings:get', { sneaky: true })).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
  });

  it('rejects unknown channels and non-string channels', async () => {
    const dispatch = createDispatcher(services().handlers);
    expect(await dispatch('studio:shell:exec', 'rm -rf /')).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD' } });
    expect(await dispatch({ toString: () => 'x' }, undefined)).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD' } });
    expect(await dispatch('__proto__', undefined)).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD' } });
  });

  it('turns handler failures into typed errors without leaking internals', async () => {
    const handlers = services().handlers;
    const dispatch = createDispatcher({
      ...handlers,
      'studio:settings:get': async () => {
        throw new Error('disk on fire at /home/secret');
      },
      'studio:server:getConnection': async () => {
        throw new SpacecraftError('UNAVAILABLE', 'The server is not running yet.');
      },
    });
    expect(await dispatch('studio:settings:get', undefined)).toEqual({ ok: false, error: { code: 'INTERNAL', message: 'Something went wrong on the server.' } });
    expect(await dispatch('studio:server:getConnection', undefined)).toEqual({ ok: false, error: { code: 'UNAVAILABLE', message: 'The server is not running yet.' } });
  });
});

describe('window.studio built from the contract', () => {
  it('maps studio:<noun>:<verb> to studio.<noun>.<verb>() and throws StudioError with the code', async () => {
    const dispatch = createDispatcher(services().handlers);
    const calls: string[] = [];
    const api = createStudioApi({
      invoke: (channel, input): Promise<IpcReply> => {
        calls.push(channel);
        return dispatch(channel, input);
      },
      subscribe: () => () => undefined,
    });
    expect(await api.server.getConnection()).toEqual({ url: 'http://127.0.0.1:4400' });
    expect(await api.server.getStatus()).toMatchObject({ state: 'remote' });
    const error = await api.settings.update({ microphoneId: 7 as unknown as string }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StudioError);
    expect(error).toMatchObject({ code: 'VALIDATION' });
    expect(calls).toEqual(['studio:server:getConnection', 'studio:server:getStatus', 'studio:settings:update']);
  });

  it('maps events to on<Event>(listener) returning an unsubscribe', () => {
    const subscribed: string[] = [];
    let unsubscribed = 0;
    const api = createStudioApi({
      invoke: async () => ({ ok: true, data: null }),
      subscribe: (channel) => {
        subscribed.push(channel);
        return () => unsubscribed++;
      },
    });
    const off = api.server.onStatusChanged(() => undefined);
    off();
    expect(subscribed).toEqual(['studio:server:statusChanged']);
    expect(unsubscribed).toBe(1);
  });
});
