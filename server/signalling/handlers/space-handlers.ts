/** Signing in, starting, resuming, joining, muting and ending a Space. */
import type { AccountId } from '../../domain/account.ts';
import { InvalidStateError, PermissionError, SpacecraftError } from '../../errors.ts';
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

/**
 * Binds a signed-in account to this connection. Guessing tokens is locked per address after a few
 * failures; a connection keeps one account (signing in again as someone else is refused).
 */
export const signIn: Handler<'signIn'> = async (ctx, data) => {
  const { ip } = ctx.session.info;
  await ctx.limits.assertMayTrySignIn(ip);
  let account;
  try {
    account = await ctx.accounts.authenticate(data.sessionToken);
  } catch (error) {
    if (error instanceof PermissionError) await ctx.limits.signInFailed(ip);
    throw error;
  }
  const current = ctx.session.account;
  if (current && current.id !== account.id) throw new InvalidStateError('This connection is signed in as someone else; open a new one to switch accounts.');
  const { mayHost, followersNeeded } = await ctx.accounts.eligibility(account.id);
  ctx.session.account = { id: account.id, handle: account.handle, displayName: account.displayName };
  return { account: ctx.session.account, mayHost, followersNeeded };
};

/** Hosting: a signed-in account with enough followers, from a page the server allows. */
export const createSpace: Handler<'createSpace'> = async (ctx, data) => {
  assertMayHost(ctx);
  const account = ctx.session.account;
  if (!account) throw new PermissionError('Sign in to host a Space.');
  notInSpace(ctx);
  const { mayHost, followersNeeded } = await ctx.accounts.eligibility(account.id as AccountId);
  if (!mayHost) {
    throw new SpacecraftError(
      'NOT_ELIGIBLE',
      `Hosting needs ${ctx.config.accounts.hostMinFollowers} followers: you need ${followersNeeded} more.`,
      { followersNeeded, minFollowers: ctx.config.accounts.hostMinFollowers },
    );
  }
  const space = await ctx.registry.start(ctx.session, { title: data.title, hostAccountId: account.id, ...(data.scheduledSpaceId ? { scheduledSpaceId: data.scheduledSpaceId } : {}) });
  ctx.session.space = space;
  return hosted(space);
};

export const resumeSpace: Handler<'resumeSpace'> = async (ctx, data) => {
  assertMayHost(ctx);
  notInSpace(ctx);
  const space = ctx.registry.live(data.spaceId);
  await space.resume(ctx.session, data.hostKey ?? null);
  ctx.session.space = space;
  return hosted(space);
};

export const joinSpace: Handler<'joinSpace'> = async (ctx, data) => {
  notInSpace(ctx);
  await ctx.limits.join(ctx.session.info.ip);
  const space = ctx.registry.live(data.spaceId);
  await ctx.tickets?.admit(ctx.session, space.id);
  const state = await space.join(ctx.session, { counted: data.preparing !== true });
  ctx.session.space = space;
  return { space: state, routerRtpCapabilities: space.media.rtpCapabilities, you: space.yourRole(ctx.session.id) };
};

/** A page that joined `preparing` starts listening: it counts as a listener from now on. */
export const startListening: Handler<'startListening'> = async (ctx) => {
  await currentSpace(ctx).startListening(ctx.session.id);
  return {};
};

export const setMuted: Handler<'setMuted'> = async (ctx, data) => {
  await currentSpace(ctx).setMuted(ctx.session.id, data.muted);
  return {};
};

export const endSpace: Handler<'endSpace'> = async (ctx) => {
  await currentSpace(ctx).end(ctx.session.id, 'host-ended');
  return {};
};
