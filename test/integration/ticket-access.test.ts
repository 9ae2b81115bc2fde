/**
 * Who may listen to a ticketed Space, over the real signalling socket: no ticket (or no sign-in)
 * → TICKET_REQUIRED and never in the Space (so no transport, no audio); the stage needs none; a
 * ticket admits one connection at a time (a second connection of the account takes over and the
 * first is told and leaves); a listener whose connection dropped comes back without paying again.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { SignallingClient } from '../../renderer/lib/signalling-client.ts';
import { AccountService } from '../../server/accounts/account-service.ts';
import { KyselyAccountStore } from '../../server/db/account-store.ts';
import { KyselyStageRecords } from '../../server/db/space-store.ts';
import type { SpaceId } from '../../server/domain/space.ts';
import { checkoutJsonSchema } from '../../server/http/ticket-api.ts';
import { connectClient, nextNotification } from '../support/signalling.ts';
import { connectHost, makeAccounts, priceSpace, startTicketWorld, type TicketWorld } from '../support/ticketing.ts';
import { useTestDatabases } from '../support/test-databases.ts';

const databases = useTestDatabases();
const worlds: TicketWorld[] = [];
const clients: SignallingClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await Promise.all(worlds.splice(0).map((w) => w.close()));
});

async function client(w: TicketWorld, token: string | null, origin?: string): Promise<SignallingClient> {
  const c = await connectClient(w.server.url, origin ? { origin } : {});
  clients.push(c);
  if (token) await c.request('signIn', { sessionToken: token });
  return c;
}

async function buyTicket(w: TicketWorld, token: string, spaceId: string): Promise<void> {
  const checkout = checkoutJsonSchema.parse((await w.call('POST', `/api/spaces/${spaceId}/checkout`, { token, body: {} })).body);
  w.stub.payCheckout(checkout.sessionId);
  const confirmed = await w.call('POST', `/api/spaces/${spaceId}/checkout/${checkout.sessionId}/confirm`, { token });
  expect(confirmed.body).toMatchObject({ mine: { ticket: 'paid' } });
}

describe('access to a ticketed Space', () => {
  it('needs a ticket to listen, lets the stage in without one, and admits one connection per ticket', async () => {
    const w = await startTicketWorld(await databases.fresh('pglite'));
    worlds.push(w);
    const [host, fan, speaker, freeloader] = await makeAccounts(w.server, 4);
    const studio = await client(w, host!.token, w.server.url);
    const { space } = await studio.request('createSpace', { title: 'Paid live show' });
    const spaceId = space.spaceId;

    // Free while unpriced: anyone may join.
    const early = await client(w, null);
    await early.request('joinSpace', { spaceId });
    early.close();

    await connectHost(w, host!.token);
    await priceSpace(w, host!.token, spaceId, { currency: 'eur', amount: 300, capacity: 10 });

    const guest = await client(w, null);
    await expect(guest.request('joinSpace', { spaceId })).rejects.toMatchObject({ code: 'TICKET_REQUIRED', message: expect.stringMatching(/sign in and buy a ticket/) });
    const noTicket = await client(w, freeloader!.token);
    await expect(noTicket.request('joinSpace', { spaceId })).rejects.toMatchObject({ code: 'TICKET_REQUIRED' });
    // Never let in, so nothing to receive audio with.
    await expect(noTicket.request('createTransport', { direction: 'recv' })).rejects.toMatchObject({ code: 'INVALID_STATE' });

    // The stage needs no ticket: a stored speaker joins as is.
    await new KyselyStageRecords(w.server.database.db).saveRole(spaceId as SpaceId, speaker!.id, 'speaker');
    const onStage = await client(w, speaker!.token);
    await onStage.request('joinSpace', { spaceId });

    await buyTicket(w, fan!.token, spaceId);
    const phone = await client(w, fan!.token);
    await phone.request('joinSpace', { spaceId });
    await phone.request('createTransport', { direction: 'recv' });

    // The same ticket opened elsewhere: the newest connection wins, the first is told and is out.
    const laptop = await client(w, fan!.token);
    const told = nextNotification(phone, 'ticketInUse');
    await laptop.request('joinSpace', { spaceId });
    expect(await told).toEqual({ spaceId });
    await expect(phone.request('createTransport', { direction: 'recv' })).rejects.toMatchObject({ code: 'INVALID_STATE' });
    await laptop.request('createTransport', { direction: 'recv' });

    // The laptop's network drops; it comes back on a new connection with the same ticket, paying nothing.
    const sessionsBefore = w.stub.sessions().length;
    laptop.close();
    const back = await client(w, fan!.token);
    await back.request('joinSpace', { spaceId });
    await back.request('createTransport', { direction: 'recv' });
    expect(w.stub.sessions()).toHaveLength(sessionsBefore);
    expect(w.server.tickets.access.size).toBe(1);

    // The HLS overflow stream asks the same question: refused without a ticket, open to the ticket and the stage.
    for (const token of [null, freeloader!.token, 'not-a-token']) {
      const answer = await w.call('GET', `/api/spaces/${spaceId}/overflow`, token ? { token } : {});
      expect(answer.status, String(token)).toBe(403);
      expect(answer.body.error).toMatchObject({ code: 'PERMISSION_DENIED', message: 'This Space needs a ticket to listen.' });
    }
    const overflow = w.server.tickets.access.overflowAccess(new AccountService(new KyselyAccountStore(w.server.database.db), w.server.config.accounts));
    const asks = (authorization: string | undefined) => overflow.mayListen({ spaceId, ip: '127.0.0.1', authorization });
    expect(await asks(`Bearer ${fan!.token}`)).toBe(true);
    expect(await asks(`Bearer ${speaker!.token}`)).toBe(true);
    expect(await asks(`Bearer ${freeloader!.token}`)).toBe(false);
    expect(await asks(undefined)).toBe(false);

    // Its transcript asks the same question: ticket holders and the stage read it, nobody else.
    for (const token of [null, freeloader!.token]) {
      const answer = await w.call('GET', `/api/spaces/${spaceId}/transcript.vtt`, token ? { token } : {});
      expect(answer.status, String(token)).toBe(403);
      expect(answer.body.error).toMatchObject({ code: 'PERMISSION_DENIED', message: expect.stringMatching(/ticket/) });
    }
    for (const token of [fan!.token, host!.token, speaker!.token]) {
      const answer = await fetch(`${w.server.url}/api/spaces/${spaceId}/transcript.vtt`, { headers: { authorization: `Bearer ${token}` } });
      expect(answer.status).toBe(200);
      expect(await answer.text()).toMatch(/^WEBVTT/);
    }
  });

  it('puts out a listener whose ticket is disputed while listening, and refuses the ticket after', async () => {
    const w = await startTicketWorld(await databases.fresh('pglite'));
    worlds.push(w);
    const [host, fan, other] = await makeAccounts(w.server, 3);
    const studio = await client(w, host!.token, w.server.url);
    const { space } = await studio.request('createSpace', { title: 'Paid live show' });
    const spaceId = space.spaceId;
    await connectHost(w, host!.token);
    await priceSpace(w, host!.token, spaceId, { currency: 'eur', amount: 300, capacity: 10 });
    await buyTicket(w, fan!.token, spaceId);
    await buyTicket(w, other!.token, spaceId);
    const listening = await client(w, fan!.token);
    await listening.request('joinSpace', { spaceId });
    const bystander = await client(w, other!.token);
    await bystander.request('joinSpace', { spaceId });

    // The buyer's bank disputes the charge: Stripe says so by webhook.
    const ticket = await w.server.database.db.selectFrom('tickets').select(['payment_intent_id']).where('space_id', '=', spaceId).where('account_id', '=', fan!.id).executeTakeFirstOrThrow();
    const charge = [...w.stub.state.charges.values()].find((c) => c['payment_intent'] === ticket.payment_intent_id);
    expect(charge?.['id']).toMatch(/^ch_/);
    const told = nextNotification(listening, 'ticketRevoked');
    const dispute = w.stub.emit('charge.dispute.created', { id: 'dp_spacecrafttest0001', object: 'dispute', charge: charge!['id'], payment_intent: ticket.payment_intent_id, status: 'needs_response' });
    expect(await w.stub.deliver(dispute, { url: `${w.server.url}/api/stripe/webhooks` })).toEqual([200]);
    expect(await told).toEqual({ spaceId });
    // Out of the Space, and the ticket no longer opens it; the other buyer listens on.
    await expect(listening.request('createTransport', { direction: 'recv' })).rejects.toMatchObject({ code: 'INVALID_STATE' });
    const again = await client(w, fan!.token);
    await expect(again.request('joinSpace', { spaceId })).rejects.toMatchObject({ code: 'TICKET_REQUIRED' });
    await bystander.request('createTransport', { direction: 'recv' });
  });
});
