/** A fake `window.studio` for renderer unit tests: the real contract API over an in-memory transport. */
import { createStudioApi, type Channel, type EventChannel, type IpcReply, type StudioApi } from '../../electron/contract.ts';

export type FakeStudio = {
  api: StudioApi;
  calls: Array<{ channel: Channel; input: unknown }>;
  emit(channel: EventChannel, data: unknown): void;
};

export function installFakeStudio(replies: Partial<Record<Channel, (input: unknown) => IpcReply>>): FakeStudio {
  const calls: FakeStudio['calls'] = [];
  const listeners = new Map<EventChannel, Set<(data: unknown) => void>>();
  const api = createStudioApi({
    invoke: async (channel, input) => {
      calls.push({ channel, input });
      const reply = replies[channel];
      return reply ? reply(input) : { ok: false, error: { code: 'UNAVAILABLE', message: `no fake reply for ${channel}` } };
    },
    subscribe: (channel, listener) => {
      let set = listeners.get(channel);
      if (!set) listeners.set(channel, (set = new Set()));
      set.add(listener);
      return () => set.delete(listener);
    },
  });
  window.studio = api;
  return { api, calls, emit: (channel, data) => listeners.get(channel)?.forEach((l) => l(data)) };
}
