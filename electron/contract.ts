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
import { acceptedInviteJsonSchema, createdInviteJsonSchema, inviteListJsonSchema, spaceJsonSchema, spaceListJsonSchema } from '../server/http/space-api.ts';
import { salesReportJsonSchema } from '../server/http/refund-api.ts';
import { connectPayoutsSchema, offerBody, payoutStatusSchema, ticketsJsonSchema } from '../server/http/ticket-api.ts';
import { stripeKeysSchema } from '../server/payments/stripe-keys.ts';

export const serverStatusSchema = z.object({
  state: z.enum(['starting', 'running', 'restarting', 'stopped', 'failed', 'remote']),
  url: z.string().nullable(),
  restarts: z.number().int().nonnegative(),
  message: z.string().nullable(),
});

export const serverConnectionSchema = z.object({ url: z.string() });

/**
 * The account the studio is signed in as on its server, kept across restarts by the settings
 * store. `sessionToken` signs the studio's signalling connection in (hosting needs it).
 */
export const studioAccountSchema = z.object({
  id: z.string(),
  handle: z.string(),
  displayName: z.string(),
  followers: z.number().int().nonnegative(),
  mayHost: z.boolean(),
  followersNeeded: z.number().int().nonnegative(),
  sessionToken: z.string(),
});
export const signInInputSchema = z.object({ handle: z.string().trim().min(1).max(64), password: z.string().min(1).max(1024) }).strict();
/** A scheduled Space as the studio lists it; times are ISO strings with an offset. */
const spaceIdInput = z.string().min(1).max(64);
/** `premiere`: the Space is a premiere (its page counts down to a premiere); set when scheduling only. */
export const scheduleInputSchema = z
  .object({ title: z.string().trim().min(1).max(120), startsAt: z.iso.datetime({ offset: true }), timeZone: z.string().min(1).max(64), premiere: z.boolean().optional() })
  .strict();
export const editSpaceInputSchema = scheduleInputSchema.omit({ premiere: true }).partial().extend({ spaceId: spaceIdInput }).strict();
export const inviteInputSchema = z.object({ spaceId: spaceIdInput, handle: z.string().trim().min(1).max(64), expiresInMinutes: z.number().int().min(5).max(7 * 24 * 60).optional() }).strict();

export const signUpInputSchema = signInInputSchema.extend({ displayName: z.string().trim().min(1).max(200) }).strict();

/** One mixer channel's strip: fader in dB (−60 is off), mute, solo. */
export const channelSettingsSchema = z.object({
  gainDb: z.number().min(-60).max(12),
  muted: z.boolean(),
  solo: z.boolean(),
});

const channelDefault = (muted: boolean) => channelSettingsSchema.default({ gainDb: 0, muted, solo: false });

/** Mic processing: a noise gate and a compressor; `preset` names the preset the values came from ('custom' once edited). */
export const micProcessingSchema = z.object({
  preset: z.enum(['raw', 'podcast', 'loud-room', 'custom']),
  gate: z.object({ enabled: z.boolean(), thresholdDb: z.number().min(-90).max(0) }),
  compressor: z.object({
    enabled: z.boolean(),
    thresholdDb: z.number().min(-60).max(0),
    ratio: z.number().min(1).max(20),
    attackMs: z.number().min(0.1).max(200),
    releaseMs: z.number().min(5).max(2000),
    makeupDb: z.number().min(0).max(24),
  }),
});

/** Ducking: the music (track and pads) dips by `depthDb` while the mic is above `thresholdDb`, and comes back over `releaseMs`. */
export const duckingSchema = z.object({
  enabled: z.boolean(),
  depthDb: z.number().min(0).max(40),
  thresholdDb: z.number().min(-70).max(0),
  releaseMs: z.number().min(50).max(5000),
});

/** Monitoring: what the host hears (nothing, the program, or the mic alone), on which output, how loud. */
export const monitorSchema = z.object({
  source: z.enum(['off', 'program', 'mic']),
  deviceId: z.string().max(512).nullable(),
  gainDb: z.number().min(-60).max(12),
});

/** A sound pad: on key 1–9 by its place in the list; its clip's bytes live in the renderer's clip store under `clipId`. */
export const padSchema = z.object({
  name: z.string().trim().max(40),
  gainDb: z.number().min(-60).max(12),
  clipId: z.string().max(64).nullable(),
  clipName: z.string().max(200).nullable(),
});

export const PAD_COUNT = 9;
const emptyPads = () => Array.from({ length: PAD_COUNT }, (_, i) => ({ name: `Pad ${i + 1}`, gainDb: 0, clipId: null, clipName: null }));

export const DEFAULT_PROCESSING: z.output<typeof micProcessingSchema> = {
  preset: 'raw',
  gate: { enabled: false, thresholdDb: -50 },
  compressor: { enabled: false, thresholdDb: -18, ratio: 3, attackMs: 10, releaseMs: 150, makeupDb: 0 },
};
export const DEFAULT_DUCKING: z.output<typeof duckingSchema> = { enabled: true, depthDb: 12, thresholdDb: -40, releaseMs: 600 };
export const DEFAULT_MONITOR: z.output<typeof monitorSchema> = { source: 'off', deviceId: null, gainDb: -6 };

/**
 * The mixer: the mode (voice: echo cancellation, noise suppression, auto gain
 * on, mono 64 kbps; music: off, stereo 256 kbps), each channel's strip, the
 * track player's loop, the pads, mic processing, ducking and monitoring. Every
 * field added after the first release has a default, so older settings load.
 */
export const mixerSettingsSchema = z.object({
  mode: z.enum(['voice', 'music']),
  channels: z.object({ mic: channelSettingsSchema, tone: channelSettingsSchema, track: channelDefault(false), pads: channelDefault(false) }),
  track: z.object({ loop: z.boolean() }).default({ loop: false }),
  pads: z.array(padSchema).length(PAD_COUNT).default(emptyPads),
  processing: micProcessingSchema.default(DEFAULT_PROCESSING),
  ducking: duckingSchema.default(DEFAULT_DUCKING),
  monitor: monitorSchema.default(DEFAULT_MONITOR),
});

/** A new studio's mixer: voice mode, the mic at unity, the test tone muted, no processing, ducking on, monitoring off. */
export const DEFAULT_MIXER: z.output<typeof mixerSettingsSchema> = {
  mode: 'voice',
  channels: {
    mic: { gainDb: 0, muted: false, solo: false },
    tone: { gainDb: 0, muted: true, solo: false },
    track: { gainDb: 0, muted: false, solo: false },
    pads: { gainDb: 0, muted: false, solo: false },
  },
  track: { loop: false },
  pads: emptyPads(),
  processing: DEFAULT_PROCESSING,
  ducking: DEFAULT_DUCKING,
  monitor: DEFAULT_MONITOR,
};

/** The audio files the track player opens through the app (decoded by the renderer). */
export const AUDIO_FILE_EXTENSIONS = ['wav', 'mp3', 'ogg', 'oga', 'opus', 'flac', 'm4a', 'aac', 'webm'] as const as readonly string[];
export const MAX_AUDIO_FILE_BYTES = 200 * 1024 * 1024;
/** A file the host chose in the app's open dialog, read by main. */
export const openedAudioSchema = z.object({
  name: z.string().min(1).max(255),
  bytes: z.instanceof(Uint8Array).refine((b) => b.byteLength <= MAX_AUDIO_FILE_BYTES, 'too large'),
});

/** Tracks a premiere queue holds (renderer/studio/features/premiere/lib/premiere-queue.ts MAX_QUEUE). */
export const MAX_PREMIERE_QUEUE = 24;
/**
 * A premiere queue entry kept across restarts: what the host typed and the file's name. Its audio and
 * artwork stay in the studio page's own storage (IndexedDB): too large for the settings, which every
 * settings:get returns whole.
 */
export const savedPremiereEntrySchema = z
  .object({ id: z.string().min(1).max(64), title: z.string().max(200), artist: z.string().max(200), fileName: z.string().max(255) })
  .strict();
export const premiereSettingsSchema = z.object({ queue: z.array(savedPremiereEntrySchema).max(MAX_PREMIERE_QUEUE) }).strict();
export type SavedPremiereEntry = z.output<typeof savedPremiereEntrySchema>;
export const DEFAULT_PREMIERE: z.output<typeof premiereSettingsSchema> = { queue: [] };

export const settingsSchema = z.object({
  microphoneId: z.string().max(512).nullable(),
  spaceTitle: z.string().trim().min(1).max(120),
  mixer: mixerSettingsSchema,
  premiere: premiereSettingsSchema.default(DEFAULT_PREMIERE),
});

export const settingsPatchSchema = settingsSchema.partial().strict();

/**
 * The Stripe keys of the studio's bundled server (issue #9), as the studio may show them once saved:
 * the secret key's kind and last four characters, never a secret. `server: 'remote'`: the studio uses a
 * server of its own configuration, whose keys are set there. `problem`: a saved file the server would refuse.
 */
export const stripeKeysStatusSchema = z.object({
  server: z.enum(['bundled', 'remote']),
  saved: z.object({ secretKey: z.string().max(40), livemode: z.boolean() }).nullable(),
  problem: z.string().max(1000).nullable(),
});
export { stripeKeysSchema };
export type StripeKeysStatus = z.output<typeof stripeKeysStatusSchema>;

export const methods = {
  'studio:server:getStatus': { input: z.undefined(), output: serverStatusSchema },
  'studio:server:getConnection': { input: z.undefined(), output: serverConnectionSchema },
  'studio:account:get': { input: z.undefined(), output: studioAccountSchema.nullable() },
  'studio:account:signIn': { input: signInInputSchema, output: studioAccountSchema },
  'studio:account:signUp': { input: signUpInputSchema, output: studioAccountSchema },
  'studio:account:signOut': { input: z.undefined(), output: z.null() },
  'studio:spaces:listUpcoming': { input: z.undefined(), output: spaceListJsonSchema },
  'studio:spaces:schedule': { input: scheduleInputSchema, output: spaceJsonSchema },
  'studio:spaces:edit': { input: editSpaceInputSchema, output: spaceJsonSchema },
  'studio:spaces:cancel': { input: z.object({ spaceId: spaceIdInput }).strict(), output: spaceJsonSchema },
  'studio:invites:create': { input: inviteInputSchema, output: createdInviteJsonSchema },
  'studio:invites:list': { input: z.object({ spaceId: spaceIdInput }).strict(), output: inviteListJsonSchema },
  'studio:invites:revoke': { input: z.object({ spaceId: spaceIdInput, inviteId: z.string().min(1).max(64) }).strict(), output: z.null() },
  'studio:invites:accept': { input: z.object({ code: z.string().trim().min(1).max(200) }).strict(), output: acceptedInviteJsonSchema },
  /** Ticketed Spaces (issue #9): the host's Stripe payouts and each Space's price. */
  'studio:tickets:payoutStatus': { input: z.undefined(), output: payoutStatusSchema },
  'studio:tickets:connectPayouts': { input: z.undefined(), output: connectPayoutsSchema },
  'studio:tickets:get': { input: z.object({ spaceId: spaceIdInput }).strict(), output: ticketsJsonSchema },
  'studio:tickets:set': { input: offerBody.extend({ spaceId: spaceIdInput }), output: ticketsJsonSchema },
  'studio:tickets:withdraw': { input: z.object({ spaceId: spaceIdInput }).strict(), output: z.null() },
  /** The host's live sales of a ticketed Space: sold, held, left, gross, fee, net, sales over time. */
  'studio:tickets:sales': { input: z.object({ spaceId: spaceIdInput }).strict(), output: salesReportJsonSchema },
  /** The bundled server's Stripe keys: saved to a 0600 file in the data folder, the server restarted with it; only a masked key comes back. */
  'studio:stripe:getKeys': { input: z.undefined(), output: stripeKeysStatusSchema },
  'studio:stripe:saveKeys': { input: stripeKeysSchema, output: stripeKeysStatusSchema },
  'studio:stripe:removeKeys': { input: z.undefined(), output: stripeKeysStatusSchema },
  'studio:settings:get': { input: z.undefined(), output: settingsSchema },
  'studio:settings:update': { input: settingsPatchSchema, output: settingsSchema },
  /** The app's open dialog for the track player: the file's name and bytes, or null when cancelled (UNAVAILABLE in browser mode). */
  'studio:files:openAudio': { input: z.undefined(), output: openedAudioSchema.nullable() },
  /** A Space's caption transcript from the studio's server, to save: WebVTT or SRT text and a file name. */
  'studio:captions:transcript': {
    input: z.object({ spaceId: spaceIdInput, format: z.enum(['vtt', 'srt']) }).strict(),
    output: z.object({ name: z.string().max(120), text: z.string() }),
  },
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
export type StudioAccount = z.output<typeof studioAccountSchema>;
export type { CreatedInviteJson, InviteJson, SpaceJson } from '../server/http/space-api.ts';
export type Settings = z.output<typeof settingsSchema>;
export type MixerSettings = z.output<typeof mixerSettingsSchema>;
export type OpenedAudio = z.output<typeof openedAudioSchema>;

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
