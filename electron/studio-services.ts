/**
 * The studio's back end, the same in Electron and in browser mode: settings,
 * the bundled server (or a remote one), and the handlers of the IPC contract.
 */
import { SpacecraftError, ValidationError } from '../server/errors.ts';
import { openAudioFile, type AudioFileDialog } from './audio-files.ts';
import type { EventChannel, EventData, ServerStatus } from './contract.ts';
import type { StudioHandlers } from './ipc/dispatcher.ts';
import type { ServerSupervisor } from './server-supervisor.ts';
import type { SettingsStore } from './settings/settings-store.ts';
import type { StripeKeysStore } from './stripe-keys-store.ts';
import { StudioStripeKeys } from './studio-stripe-keys.ts';
import { StudioAccounts } from './studio-account.ts';
import { StudioSpaces } from './studio-spaces.ts';
import { StudioSales } from './studio-sales.ts';
import { StudioTickets } from './studio-tickets.ts';
import { fetchTranscript } from './studio-transcripts.ts';
import type { Fetch } from './server-api.ts';

export type StudioServices = {
  handlers: StudioHandlers;
  /** Pushes contract events to a renderer; returns an unsubscribe. */
  subscribe(emit: <E extends EventChannel>(event: E, data: EventData<E>) => void): () => void;
};

export function createStudioServices(deps: {
  settings: SettingsStore;
  supervisor: ServerSupervisor | null;
  remote: { url: string } | null;
  /** The HTTP client for the server's API (tests pass their own). */
  fetch?: Fetch;
  /** The app's open dialog for audio files (none in browser mode: its page has a file input). */
  audioFiles?: AudioFileDialog | null;
  /** Where the bundled server's Stripe keys are kept (its supervisor's launch environment names the file). */
  stripeKeys?: StripeKeysStore | null;
}): StudioServices {
  const { settings, supervisor, remote } = deps;
  const accounts = new StudioAccounts(settings, deps.fetch);
  const spaces = new StudioSpaces(settings, deps.fetch);
  const tickets = new StudioTickets(settings, deps.fetch);
  const sales = new StudioSales(settings, deps.fetch);
  const stripeKeys = new StudioStripeKeys({ remote: remote !== null || !supervisor, store: deps.stripeKeys ?? null, restartServer: async () => supervisor?.restart() });
  const status = (): ServerStatus =>
    remote ? { state: 'remote', url: remote.url, restarts: 0, message: null } : supervisor!.status;

  /** The server the studio works with: the remote one, or the bundled one once it runs. */
  const serverUrl = (): string => {
    if (remote) return remote.url;
    const connection = supervisor!.connection();
    if (!connection) throw new SpacecraftError('UNAVAILABLE', 'The server is not running yet.');
    return connection.url;
  };

  const handlers: StudioHandlers = {
    'studio:server:getStatus': async () => status(),
    'studio:server:getConnection': async () => ({ url: serverUrl() }),
    'studio:account:get': async () => accounts.current(serverUrl()),
    'studio:account:signIn': async (input) => accounts.signIn(serverUrl(), input),
    'studio:account:signUp': async (input) => accounts.signUp(serverUrl(), input),
    'studio:account:signOut': async () => accounts.signOut(serverUrl()),
    'studio:spaces:listUpcoming': async () => spaces.upcoming(serverUrl()),
    'studio:spaces:schedule': async (input) => spaces.schedule(serverUrl(), input),
    'studio:spaces:edit': async (input) => spaces.edit(serverUrl(), input),
    'studio:spaces:cancel': async ({ spaceId }) => spaces.cancel(serverUrl(), spaceId),
    'studio:invites:create': async (input) => spaces.invite(serverUrl(), input),
    'studio:invites:list': async ({ spaceId }) => spaces.invites(serverUrl(), spaceId),
    'studio:invites:revoke': async (input) => spaces.revokeInvite(serverUrl(), input),
    'studio:invites:accept': async ({ code }) => spaces.acceptInvite(serverUrl(), code),
    'studio:tickets:payoutStatus': async () => tickets.payoutStatus(serverUrl()),
    'studio:tickets:connectPayouts': async () => tickets.connectPayouts(serverUrl()),
    'studio:tickets:get': async ({ spaceId }) => tickets.get(serverUrl(), spaceId),
    'studio:tickets:set': async (input) => tickets.set(serverUrl(), input),
    'studio:tickets:withdraw': async ({ spaceId }) => tickets.withdraw(serverUrl(), spaceId),
    'studio:tickets:sales': async ({ spaceId }) => sales.get(serverUrl(), spaceId),
    'studio:stripe:getKeys': async () => stripeKeys.status(),
    'studio:stripe:saveKeys': async (keys) => stripeKeys.save(keys),
    'studio:stripe:removeKeys': async () => stripeKeys.remove(),
    'studio:settings:get': async () => settings.get(),
    'studio:settings:update': async (patch) => {
      if (Object.keys(patch).length === 0) throw new ValidationError('Nothing to change.');
      return settings.update(patch);
    },
    'studio:files:openAudio': openAudioFile(deps.audioFiles ?? null),
    'studio:captions:transcript': async (input) => {
      const url = serverUrl();
      const session = settings.getSession();
      return fetchTranscript(deps.fetch ?? fetch, url, input, session && session.serverUrl === url ? session.token : null);
    },
  };

  return {
    handlers,
    subscribe(emit) {
      if (!supervisor) return () => undefined;
      return supervisor.onStatus((s) => emit('studio:server:statusChanged', s));
    },
  };
}
