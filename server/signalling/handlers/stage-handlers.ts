/**
 * The stage: asking to speak, answering, muting, moving, removing, reacting.
 * Each runs through the Space's queue, where `authorize` (domain/stage.ts)
 * checks the caller's role first. Peer ids name people in the caller's own
 * Space only; anyone else's is NOT_FOUND.
 */
import type { PeerId } from '../../domain/space.ts';
import type { Handler } from './handler.ts';
import { currentSpace } from './space-handlers.ts';

export const requestToSpeak: Handler<'requestToSpeak'> = async (ctx) => {
  await currentSpace(ctx).requestToSpeak(ctx.session.id);
  return {};
};

export const cancelRequest: Handler<'cancelRequest'> = async (ctx) => {
  await currentSpace(ctx).cancelRequest(ctx.session.id);
  return {};
};

export const answerRequest: Handler<'answerRequest'> = async (ctx, data) => {
  await currentSpace(ctx).answerRequest(ctx.session.id, data.peerId as PeerId, data.accept);
  return {};
};

export const muteSpeaker: Handler<'muteSpeaker'> = async (ctx, data) => {
  await currentSpace(ctx).muteSpeaker(ctx.session.id, data.peerId as PeerId, data.muted);
  return {};
};

export const moveToListener: Handler<'moveToListener'> = async (ctx, data) => {
  await currentSpace(ctx).moveToListener(ctx.session.id, data.peerId as PeerId);
  return {};
};

export const leaveStage: Handler<'leaveStage'> = async (ctx) => {
  await currentSpace(ctx).leaveStage(ctx.session.id);
  return {};
};

export const removeFromSpace: Handler<'removeFromSpace'> = async (ctx, data) => {
  await currentSpace(ctx).remove(ctx.session.id, data.peerId as PeerId);
  return {};
};

export const react: Handler<'react'> = async (ctx, data) => {
  await currentSpace(ctx).react(ctx.session.id, data.emoji);
  return {};
};
