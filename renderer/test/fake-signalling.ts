/**
 * Fakes for the renderer's session tests (the listener page's and the
 * studio's): the server's stage and Space state, and one signalling connection
 * that records every request, answers through the test, and delivers the
 * server's notifications when the test says.
 */
import type { SpaceState, StageMember } from '../../server/signalling/protocol.ts';
import type { SignallingClient } from '../lib/signalling-client.ts';
import type { StagePerson } from '../lib/stage-people.ts';

/** A stage member, unmuted, named and handled by its peer id unless `extra` says otherwise. */
export function stageMember(peerId: string, role: StageMember['role'], producerId: string | null, extra: Partial<StageMember> = {}): StageMember {
  return { peerId, accountId: null, handle: peerId, displayName: peerId, role, producerId, muted: false, mutedByHost: false, ...extra };
}

/** A live Space titled "Show" whose stage is `stage` (the host first, as the server sends it). */
export function liveSpace(stage: StageMember[], extra: Partial<SpaceState> = {}): SpaceState {
  const host = stage.find((m) => m.role === 'host');
  return { spaceId: 'space1', title: 'Show', status: 'live', listenerCount: 1, hostConnected: true, hostMuted: false, hostProducerId: host?.producerId ?? null, stage, ...extra };
}

/** What the fake server answers to a request: its reply (`{}` when undefined), or a throw to refuse it. */
export type FakeReply = (method: string, data: unknown) => unknown;

export type FakeSignalling = {
  client: SignallingClient;
  /** Every request made, in order, with its data. */
  requests: Array<[string, unknown]>;
  /** Delivers a server notification to the listener the session registered for `name`. */
  notify(name: string, data: unknown): void;
};

/** One open signalling connection that never closes by itself. */
export function fakeSignalling(reply: FakeReply): FakeSignalling {
  const listeners = new Map<string, (data: unknown) => void>();
  const requests: Array<[string, unknown]> = [];
  const client = {
    open: true,
    on: (name: string, listener: (data: unknown) => void) => {
      listeners.set(name, listener);
      return () => undefined;
    },
    onClose: () => () => undefined,
    request: async (method: string, data: unknown) => {
      requests.push([method, data]);
      return (await reply(method, data)) ?? {};
    },
    close: () => undefined,
  };
  return { client: client as unknown as SignallingClient, requests, notify: (name, data) => listeners.get(name)!(data) };
}

/** A person on stage as the listener page and the studio show them: a silent, unmuted speaker named by their peer id unless `patch` says otherwise. */
export function stagePerson(patch: Partial<StagePerson> & { peerId: string }): StagePerson {
  return { displayName: patch.peerId, handle: null, role: 'speaker', muted: false, mutedByHost: false, speaking: false, ...patch };
}
