/**
 * Live captions: the host and co-hosts correct segments, add vocabulary and replacement rules,
 * pause and resume, and set the hold-back. Each checks the caller's role (`manageCaptions`) and is
 * rate-limited per connection in SpaceCaptions; a Space whose server runs no captions says UNAVAILABLE.
 */
import { captionsOf } from '../../captions/space-captions.ts';
import type { Handler } from './handler.ts';
import { currentSpace } from './space-handlers.ts';

export const editCaption: Handler<'editCaption'> = async (ctx, data) => captionsOf(currentSpace(ctx)).edit(ctx.session.id, data.segmentId, data.text);

export const addCaptionWord: Handler<'addCaptionWord'> = async (ctx, data) => captionsOf(currentSpace(ctx)).addWord(ctx.session.id, data);

export const addCaptionReplacement: Handler<'addCaptionReplacement'> = async (ctx, data) => captionsOf(currentSpace(ctx)).addReplacement(ctx.session.id, data);

export const removeCaptionReplacement: Handler<'removeCaptionReplacement'> = async (ctx, data) => {
  await captionsOf(currentSpace(ctx)).removeReplacement(ctx.session.id, data.heard);
  return {};
};

export const setCaptionsPaused: Handler<'setCaptionsPaused'> = async (ctx, data) => {
  await captionsOf(currentSpace(ctx)).setPaused(ctx.session.id, data.paused);
  return {};
};

export const setCaptionHoldBack: Handler<'setCaptionHoldBack'> = async (ctx, data) => {
  await captionsOf(currentSpace(ctx)).setHoldBack(ctx.session.id, data.holdBackMs);
  return {};
};

export const captionSettings: Handler<'captionSettings'> = async (ctx) => captionsOf(currentSpace(ctx)).settings(ctx.session.id);
