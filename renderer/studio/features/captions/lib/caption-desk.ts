/**
 * The caption editor's state for one live Space: every segment as it forms (per speaker, in
 * order), when each goes out to listeners (a countdown by this page's clock from what the server
 * said), the status, the vocabulary and the rules; and the editor's actions, which go to the server
 * over the live session (it checks the role). Plain TypeScript with subscribe/snapshot.
 */
import type { CaptionDraft, CaptionStatus, Method, RequestData, RequestResult } from '../../../../../server/signalling/protocol.ts';

type CaptionMethod = Extract<Method, 'editCaption' | 'addCaptionWord' | 'addCaptionReplacement' | 'removeCaptionReplacement' | 'setCaptionsPaused' | 'setCaptionHoldBack' | 'captionSettings'>;
type CaptionEvent = { kind: 'draft'; segment: CaptionDraft } | { kind: 'status'; status: CaptionStatus };

/** What the desk needs of the live session (LiveSession has it). */
export interface CaptionLink {
  captionRequest<M extends CaptionMethod>(method: M, data: RequestData<M>): Promise<RequestResult<M>>;
  onCaptions(listener: (event: CaptionEvent) => void): () => void;
}

/** A segment as the editor keeps it: `releaseAt` is this page's clock (ms) when listeners get it. */
export type DeskSegment = CaptionDraft & { releaseAt: number | null };

export type DeskSnapshot = {
  segments: readonly DeskSegment[];
  status: CaptionStatus | null;
  vocabulary: ReadonlyArray<{ word: string; phones: string }>;
  replacements: ReadonlyArray<{ heard: string; written: string }>;
};

/** Segments the editor keeps (older ones are in the transcript). */
export const KEPT = 300;

export class CaptionDesk {
  readonly #link: CaptionLink;
  readonly #now: () => number;
  readonly #listeners = new Set<() => void>();
  readonly #off: () => void;
  #snapshot: DeskSnapshot = { segments: [], status: null, vocabulary: [], replacements: [] };

  constructor(link: CaptionLink, now: () => number = Date.now) {
    this.#link = link;
    this.#now = now;
    this.#off = link.onCaptions((event) => (event.kind === 'draft' ? this.#draft(event.segment) : this.#set({ status: event.status })));
  }

  get snapshot(): DeskSnapshot {
    return this.#snapshot;
  }

  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }

  /** Settings, words, rules and the recent segments, from the server (on opening, and after a reconnect). */
  async load(): Promise<void> {
    const settings = await this.#link.captionRequest('captionSettings', {});
    for (const segment of settings.recent) this.#draft(segment, false);
    this.#set({ status: settings.status, vocabulary: settings.vocabulary, replacements: settings.replacements });
  }

  async edit(segmentId: number, text: string): Promise<void> {
    await this.#link.captionRequest('editCaption', { segmentId, text });
  }

  async addWord(word: string, phones?: string): Promise<void> {
    const added = await this.#link.captionRequest('addCaptionWord', phones ? { word, phones } : { word });
    this.#set({ vocabulary: [...this.#snapshot.vocabulary.filter((w) => w.word !== added.word), added] });
  }

  async addReplacement(heard: string, written: string): Promise<void> {
    const rule = await this.#link.captionRequest('addCaptionReplacement', { heard, written });
    this.#set({ replacements: [...this.#snapshot.replacements.filter((r) => r.heard !== rule.heard), rule] });
  }

  async removeReplacement(heard: string): Promise<void> {
    await this.#link.captionRequest('removeCaptionReplacement', { heard });
    this.#set({ replacements: this.#snapshot.replacements.filter((r) => r.heard !== heard) });
  }

  async setPaused(paused: boolean): Promise<void> {
    await this.#link.captionRequest('setCaptionsPaused', { paused });
  }

  async setHoldBack(holdBackMs: number): Promise<void> {
    await this.#link.captionRequest('setCaptionHoldBack', { holdBackMs });
  }

  close(): void {
    this.#off();
    this.#listeners.clear();
  }

  #draft(segment: CaptionDraft, notify = true): void {
    const entry: DeskSegment = { ...segment, releaseAt: segment.releaseInMs === null ? null : this.#now() + segment.releaseInMs };
    const list = this.#snapshot.segments;
    const at = list.findIndex((s) => s.id === segment.id);
    const segments = at >= 0 ? list.with(at, entry) : [...list, entry].sort((a, b) => a.id - b.id).slice(-KEPT);
    this.#snapshot = { ...this.#snapshot, segments };
    if (notify) this.#notify();
  }

  #set(patch: Partial<DeskSnapshot>): void {
    this.#snapshot = { ...this.#snapshot, ...patch };
    this.#notify();
  }

  #notify(): void {
    for (const listener of [...this.#listeners]) listener();
  }
}

/** Segments per speaker, each speaker in the order they first spoke. */
export function bySpeaker(segments: readonly DeskSegment[]): Array<{ peerId: string; name: string; segments: DeskSegment[] }> {
  const lanes = new Map<string, { peerId: string; name: string; segments: DeskSegment[] }>();
  for (const segment of segments) {
    let lane = lanes.get(segment.speaker.peerId);
    if (!lane) lanes.set(segment.speaker.peerId, (lane = { peerId: segment.speaker.peerId, name: segment.speaker.name, segments: [] }));
    lane.segments.push(segment);
  }
  return [...lanes.values()];
}
