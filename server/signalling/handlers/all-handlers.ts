import { addCaptionReplacement, addCaptionWord, captionSettings, editCaption, removeCaptionReplacement, setCaptionHoldBack, setCaptionsPaused } from './caption-handlers.ts';
import type { Handlers } from './handler.ts';
import { setNowPlaying } from './premiere-handlers.ts';
import { connectTransport, consume, createTransport, produce, resumeConsumer } from './media-handlers.ts';
import { answerRequest, cancelRequest, leaveStage, moveToListener, muteSpeaker, react, removeFromSpace, requestToSpeak } from './stage-handlers.ts';
import { createSpace, endSpace, joinSpace, ping, resumeSpace, setMuted, signIn, startListening } from './space-handlers.ts';

/** One handler per request in protocol.ts; the type makes a missing one a compile error. */
export const handlers: Handlers = {
  ping,
  signIn,
  createSpace,
  resumeSpace,
  joinSpace,
  setMuted,
  endSpace,
  createTransport,
  connectTransport,
  produce,
  consume,
  resumeConsumer,
  startListening,
  requestToSpeak,
  cancelRequest,
  answerRequest,
  muteSpeaker,
  moveToListener,
  leaveStage,
  removeFromSpace,
  react,
  setNowPlaying,
  editCaption,
  addCaptionWord,
  addCaptionReplacement,
  removeCaptionReplacement,
  setCaptionsPaused,
  setCaptionHoldBack,
  captionSettings,
};
