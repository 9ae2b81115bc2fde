/**
 * The studio's IPC contract: every method and event the renderer may use, with
 * zod schemas. Electron main registers one `ipcMain.handle` per method and
 * validates first; the preload builds `window.studio` from this list; browser
 * mode serves the same list over a WebSocket. Channel `studio:<noun>:<verb>`
 * becomes `window.studio.<noun>.<verb>()`; event `studio:<noun>:<event>`
 * becomes `window.studio.<noun>.on<Event>(listener)`, returning an unsubscribe.
 */
import { z } from 'zod';
import { ERROR_CODES, ReceivedError } from '../server/errors.ts';

export const serverStatusSchema = z.object({
  state: z.enum(['starting', 'running', 'restarting', 'stopped', 'failed', 'remote']),
  url: z.string().nullable(),
  restarts: z.number().int().nonnegative(),
  message: z.string().nullable(),
});

export const serverConnectionSchema = z.object({ url: z.string(), studioToken: z.string() });

/** One mixer channel's strip: fader in dB (−60 is off), mute, solo. */
export const channelSettingsSchema = z.object({
  gainDb: z.number().min(-60).max(12),
  muted: z.boolean(),
  solo: z.boolean(),
});

/** The mixer: the microphone's mode (voice: echo cancellation, noise suppression, auto gain on; music: off) and each channel's strip. */
export const mixerSettingsSchema = z.object({
  mode: z.enum(['voice', 'music']),
  channels: z.object({ mic: channelSettingsSchema, tone: channelSettingsSchema }),
});

/** A new studio's mixer: voice mode, the mic at unity, the test tone muted. */
export const DEFAULT_MIXER: z.output<typeof mixerSettingsSchema> = {
  mode: 'voice',
  channels: { mic: { gainDb: 0, muted: false, solo: false }, tone: { gainDb: 0, muted: true, solo: false } },
};

export const settingsSchema = z.object({
  microphoneId: z.string().max(512).nullable(),
  spaceTitle: z.string().trim().min(1).max(120),
  mixer: mixerSettingsSchema,
});

export const settingsPatchSchema = settingsSchema.partial().strict();

export const methods = {
  'studio:server:getStatus': { input: z.undefined(), output: serverStatusSchema },
  'studio:server:getConnection': { input: z.undefined(), output: serverConnectionSchema },
  'studio:settings:get': { input: z.undefined(), output: settingsSchema },
  'studio:settings:update': { input: settingsPatchSchema, output: settingsSchema },
} as const;

export const events = {
  'studio:server:statusChanged': serverStatusSchema,
} as const;

export type Methods = typeof methods;
export type Channel = keyof Methods;
export type EventChannel = keyof typeof events;
export type MethodInput<C extends Channel> = z.input<Methods[C]['input']>;
export type MethodOutput<C extends Channel> = z.output<Methods[C]['output']>;
export type EventData<E extends EventChannel> = z.output<(typeof events)[E]>;
export type ServerStatus = z.output<typeof serverStatusSchema>;
export type ServerConnection = z.output<typeof serverConnectionSchema>;
export type Settings = z.output<typeof settingsSchema>;
export type MixerSettings = z.output<typeof mixerSettingsSchema>;

export const CHANNELS = Object.keys(methods) as Channel[];
export const EVENT_CHANNELS = Object.keys(events) as EventChannel[];

/** What crosses the boundary for every call: a result or a typed error. */
export const ipcErrorSchema = z.object({ code: z.enum(ERROR_CODES), message: z.string(), details: z.unknown().optional() });
export type IpcError = z.output<typeof ipcErrorSchema>;
export type IpcReply = { ok: true; data: unknown } | { ok: false; error: IpcError };

/** An IPC failure in the renderer: `code` says what, `message` is a sentence. */
export class StudioError extends ReceivedError {
  override readonly name = 'StudioError';
}

// --- window.studio, derived from the lists above -------------------------------------

type Parts<C extends string> = C extends `studio:${infer N}:${infer V}` ? [N, V] : never;
type Nouns = Parts<Channel>[0] | Parts<EventChannel>[0];
type MethodFn<C extends Channel> =
  undefined extends MethodInput<C> ? () => Promise<MethodOutput<C>> : (input: MethodInput<C>) => Promise<MethodOutput<C>>;

export type StudioApi = {
  [N in Nouns]: {
    [C in Channel as Parts<C>[0] extends N ? Parts<C>[1] : never]: MethodFn<C>;
  } & {
    [E in EventChannel as Parts<E>[0] extends N ? `on${Capitalize<Parts<E>[1]>}` : never]: (
      listener: (data: EventData<E>) => void,
    ) => () => void;
  };
};

/** How a `window.studio` reaches main: Electron IPC in the app, a WebSocket in browser mode. */
export type StudioTransport = {
  invoke(channel: Channel, input: unknown): Promise<IpcReply>;
  subscribe(channel: EventChannel, listener: (data: unknown) => void): () => void;
};

export function createStudioApi(transport: StudioTransport): StudioApi {
  const api: Record<string, Record<string, unknown>> = {};
  const slot = (noun: string) => (api[noun] ??= {});
  for (const channel of CHANNELS) {
    const [, noun, verb] = channel.split(':') as [string, string, string];
    slot(noun)[verb] = async (input?: unknown) => {
      const reply = await transport.invoke(channel, input);
      if (!reply.ok) throw new StudioError(reply.error);
      return reply.data;
    };
  }
  for (const channel of EVENT_CHANNELS) {
    const [, noun, event] = channel.split(':') as [string, string, string];
    slot(noun)[`on${event[0]!.toUpperCase()}${event.slice(1)}`] = (listener: (data: unknown) => void) =>
      transport.subscribe(channel, listener);
  }
  return api as unknown as StudioApi;
}

// --- browser mode: the same calls over a WebSocket ---------------------------------------

export const BRIDGE_PATH = '/bridge';
/** The page offers `[BRIDGE_PROTOCOL, BRIDGE_KEY_PREFIX + key]` as WebSocket subprotocols; the key comes from the printed URL's `#key=`. */
export const BRIDGE_PROTOCOL = 'spacecraft-bridge';
export const BRIDGE_KEY_PREFIX = 'key.';
export const bridgeRequestSchema = z.object({ id: z.number().int().nonnegative(), channel: z.string().max(100), input: z.unknown().optional() }).strict();
export type BridgeRequest = z.output<typeof bridgeRequestSchema>;
export type BridgeMessage = { id: number | null; reply: IpcReply } | { event: EventChannel; data: unknown };
