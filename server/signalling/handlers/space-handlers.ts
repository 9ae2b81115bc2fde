/** Starting, joining, muting and ending a Space. */
import { timingSafeEqual } from 'node:crypto';
import { InvalidStateError, PermissionError } from '../../errors.ts';
import type { LiveSpace } from '../../spaces/live-space.ts';
import type { Handler, HandlerContext } from './handler.ts';

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The Space this connection is in, or a typed error. */
export function currentSpace(ctx: HandlerContext): LiveSpace {
  const space = ctx.session.space;
  if (!space) throw new InvalidStateError('Join a Space first.');
  return space;
}

function notInSpace(ctx: HandlerContext): void {
  if (ctx.session.space) throw new InvalidStateError('This connection is already in a Space.');
}

export const ping: Handler<'ping'> = async () => ({ now: Date.now() });

export const createSpace: Handler<'createSpace'> = async (ctx, data) => {
  if (!sameSecret(data.studioToken, ctx.config.studioToken)) throw new PermissionError('This studio may not host on this server.');
  notInSpace(ctx);
  const space = await ctx.registry.start(ctx.session, data.title);
  ctx.session.space = space;
  return {
    space: space.state(),
    listenerPath: `/s/${space.id}`,
    routerRtpCapabilities: space.media.rtpCapabilities as Record<string, unknown>,
  };
};

export const joinSpace: Handler<'joinSpace'> = async (ctx, data) => {
  notInSpace(ctx);
  const space = ctx.registry.live(data.spaceId);
  const state = await space.join(ctx.session);
  ctx.session.space = space;
  return { space: state, routerRtpCapabilities: space.media.rtpCapabilities as Record<string, unknown> };
};

export const setMuted: Handler<'setMuted'> = async (ctx, data) => {
  await currentSpace(ctx).setMuted(ctx.session.id, data.muted);
  return {};
};

export const endSpace: Handler<'endSpace'> = async (ctx) => {
  await currentSpace(ctx).end(ctx.session.id, 'host-ended');
  return {};
};
