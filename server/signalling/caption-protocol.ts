/**
 * Live captions' part of the signalling protocol, merged into protocol.ts's maps; clients import
 * them from there. Every request is for the host and co-hosts (`manageCaptions` in the stage's
 * `authorize` table), rate-limited per connection.
 *
 *   editCaption { segmentId, text }            correct a segment: inside its hold-back the text replaces what was
 *                                              heard (listeners never get that); after release it is a revision
 *   addCaptionWord { word, phones? }           a name or term into the engine's dictionary, from now on (phones made
 *                                              from the spelling when not given); kept for the host's later Spaces
 *   addCaptionReplacement { heard, written }   a rule for new text; removeCaptionReplacement { heard }
 *   setCaptionsPaused { paused }               the host's pause (a playing premiere track pauses captions by itself)
 *   setCaptionHoldBack { holdBackMs }          0–10 s, for segments that end from now on
 *   captionSettings                            what the caption editor shows on opening: settings, words, rules, recent segments
 *
 *   captionDraft { segment }      to the host and co-hosts, at once: every segment as it forms, ends, is corrected and released
 *   caption { caption }           to everyone else, only released text (after the hold-back), and each later revision
 *   captionStatus { … }           to everyone: whether captions run, why they are paused, the hold-back, a problem
 */
import { z } from 'zod';
import { HOLD_BACK_MAX_MS, HOLD_BACK_MIN_MS, MAX_PHONES_CHARS, MAX_REPLACEMENTS, MAX_SEGMENT_CHARS, MAX_SPEAKER_NAME, MAX_VOCABULARY, MAX_WORD_CHARS } from '../domain/captions.ts';

const segmentId = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const ms = z.number().int().nonnegative();
const ruleText = z.string().trim().min(1).max(200);

export const captionWordSchema = z.object({ word: z.string().max(MAX_WORD_CHARS), startMs: z.number(), endMs: z.number(), confidence: z.number() });

/** A segment as the caption editor sees it: what was heard, the correction, and when it goes out. */
export const captionDraftSchema = z.object({
  id: segmentId,
  speaker: z.object({ peerId: z.string().max(64), name: z.string().max(MAX_SPEAKER_NAME) }),
  status: z.enum(['partial', 'final']),
  raw: z.string().max(MAX_SEGMENT_CHARS),
  edited: z.string().max(MAX_SEGMENT_CHARS).nullable(),
  words: z.array(captionWordSchema).max(200),
  revision: z.number().int().nonnegative(),
  startMs: ms,
  endMs: ms,
  /** How long until listeners get it, as of when the frame left the server; null while forming or once out. */
  releaseInMs: ms.nullable(),
  released: z.boolean(),
});
export type CaptionDraft = z.infer<typeof captionDraftSchema>;

/** A segment as listeners see it: released text only. A higher `revision` of the same id replaces it. */
export const captionSchema = z.object({
  id: segmentId,
  speaker: z.string().max(MAX_SPEAKER_NAME),
  text: z.string().max(MAX_SEGMENT_CHARS),
  startMs: ms,
  endMs: ms,
  revision: z.number().int().nonnegative(),
});
export type Caption = z.infer<typeof captionSchema>;

export const captionStatusSchema = z.object({
  /** Captions are on in this Space (an engine serves at least one speaker, or nobody speaks yet). */
  available: z.boolean(),
  pausedBy: z.enum(['host', 'premiere']).nullable(),
  holdBackMs: z.number().int().min(HOLD_BACK_MIN_MS).max(HOLD_BACK_MAX_MS),
  /** A sentence for the host when the engine cannot run (captions are off; the Space goes on). */
  problem: z.string().max(500).nullable(),
});
export type CaptionStatus = z.infer<typeof captionStatusSchema>;

const vocabularyWordSchema = z.object({ word: z.string().max(MAX_WORD_CHARS), phones: z.string().max(MAX_PHONES_CHARS) });
const replacementSchema = z.object({ heard: z.string().max(200), written: z.string().max(200) });

export const captionRequests = {
  editCaption: {
    data: z.object({ segmentId, text: z.string().max(MAX_SEGMENT_CHARS) }).strict(),
    result: z.object({ revision: z.number().int().nonnegative(), released: z.boolean() }),
  },
  addCaptionWord: {
    data: z.object({ word: z.string().min(1).max(MAX_WORD_CHARS), phones: z.string().min(1).max(MAX_PHONES_CHARS).optional() }).strict(),
    result: vocabularyWordSchema,
  },
  addCaptionReplacement: { data: z.object({ heard: ruleText, written: ruleText }).strict(), result: replacementSchema },
  removeCaptionReplacement: { data: z.object({ heard: ruleText }).strict(), result: z.object({}) },
  setCaptionsPaused: { data: z.object({ paused: z.boolean() }).strict(), result: z.object({}) },
  setCaptionHoldBack: { data: z.object({ holdBackMs: z.number().int().min(HOLD_BACK_MIN_MS).max(HOLD_BACK_MAX_MS) }).strict(), result: z.object({}) },
  captionSettings: {
    data: z.object({}).strict(),
    result: z.object({
      status: captionStatusSchema,
      vocabulary: z.array(vocabularyWordSchema).max(MAX_VOCABULARY),
      replacements: z.array(replacementSchema).max(MAX_REPLACEMENTS),
      recent: z.array(captionDraftSchema).max(100),
    }),
  },
} as const;

export const captionNotifications = {
  captionDraft: z.object({ segment: captionDraftSchema }),
  caption: z.object({ caption: captionSchema }),
  captionStatus: captionStatusSchema,
} as const;

