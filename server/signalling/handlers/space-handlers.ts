/** Starting, resuming, joining, muting and ending a Space. */
import { InvalidStateError, PermissionError } from '../../errors.ts';
import { sameSecret } from '../../secret.ts';
import type { LiveSpace } from '../../spaces/live-space.ts';
import type { RequestResult } from '../protocol.ts';
import type { Handler, HandlerContext } from './handler.ts';

/** The Space this connection is in, or a typed error. */
export function currentSpace(ctx: HandlerContext): LiveSpace {
  const space = ctx.session.space;
  if (!space) throw new InvalidStateError('Join a Space first.');
  return space;
}

function notInSpace(ctx: HandlerContext): void {
  if (ctx.session.space) throw new InvalidStateError('This connection is already in a Space.');
}

/** Hosting is for the studio: a page whose origin the server allows. Native clients without an Origin may only listen. */
function assertMayHost(ctx: HandlerContext): void {
  if (ctx.session.info.origin === null) throw new PermissionError('Hosting needs the Spacecraft studio; this connection may only listen.');
}

function hosted(space: LiveSpace): RequestResult<'createSpace'> {
  return { space: space.state(), listenerPath: `/s/${space.id}`, hostKey: space.hostKey, routerRtpCapabilities: space.media.rtpCapabilities };
}

export const ping: Handler<'ping'> = async () => ({ now: Date.now() });

export const createSpace: Handler<'createSpace'> = async (ctx, data) => {
  assertMayHost(ctx);
  const { ip } = ctx.session.info;
  await ctx.limits.assertMayTryHosting(ip);
  if (!sameSecret(data.studioToken, ctx.config.studioToken)) {
    await ctx.limits.hostingFailed(ip);
    throw new PermissionError('This studio may not host on this server.');
  }
  notInSpace(ctx);
  const space = await ctx.registry.start(ctx.session, data.title, data.studioToken);
  ctx.session.space = space;
  return hosted(space);
};

export const resumeSpace: Handler<'resumeSpace'> = async (ctx, data) => {
  assertMayHost(ctx);
  notInSpace(ctx);
  const space = ctx.registry.live(data.spaceId);
  await space.resume(ctx.session, data.hostKey);
  ctx.session.space = space;
  return hosted(space);
};

export const joinSpace: Handler<'joinSpace'> = async (ctx, data) => {
  notInSpace(ctx);
  await ctx.limits.join(ctx.session.info.ip);
  const space = ctx.registry.live(data.spaceId);
  const state = await space.join(ctx.session);
  ctx.session.space = space;
  return { space: state, routerRtpCapabilities: space.media.rtpCapabilities };
};

export const setMuted: Handler<'setMuted'> = async (ctx, data) => {
  await currentSpace(ctx).setMuted(ctx.session.id, data.muted);
  return {};
};

export const endSpace: Handler<'endSpace'> = async (ctx) => {
  await currentSpace(ctx).end(ctx.session.id, 'host-ended');
  return {};
};
