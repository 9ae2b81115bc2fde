/**
 * The tables as Kysely sees them, one interface per table. Both backends return the same
 * JavaScript types (see `parsers.ts`): int8 → number, bytea → Uint8Array, timestamptz → Date.
 */
import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';
import type { CaptionReplacementsTable, CaptionRevisionsTable, CaptionSegmentsTable, CaptionVocabularyTable } from './caption-schema.ts';
import type { StripePaymentFactsTable, TicketRefundTermsTable } from './refund-schema.ts';

/** Set by the database on insert, read as a Date, never updated by the app. */
type CreatedAt = ColumnType<Date, never, never>;

export interface AccountsTable {
  id: Generated<string>;
  /** Lowercase letters, digits and underscores; unique (an index on lower(handle) too). */
  handle: string;
  display_name: string;
  /** `scrypt$N$r$p$salt$hash` (base64url): the KDF's parameters travel with the hash. */
  password_hash: string;
  created_at: CreatedAt;
}

export interface SessionsTable {
  /** SHA-256 of the bearer token: the token itself is never stored. */
  token_hash: Uint8Array;
  account_id: string;
  created_at: CreatedAt;
  expires_at: Date;
}

export interface FollowsTable {
  follower_id: string;
  followee_id: string;
  created_at: CreatedAt;
}

export interface SpacesTable {
  /** 9 random bytes, base64url: the id in listener links. */
  id: string;
  host_account_id: string;
  title: string;
  status: 'scheduled' | 'live' | 'ended' | 'cancelled';
  scheduled_for: Date | null;
  /** IANA zone the host scheduled in. */
  time_zone: string | null;
  started_at: Date | null;
  ended_at: Date | null;
  end_reason: string | null;
  /** A premiere (its page says so); false unless scheduled as one. */
  premiere: Generated<boolean>;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, never, Date>;
}

export interface SpaceRolesTable {
  space_id: string;
  account_id: string;
  role: 'cohost' | 'speaker';
  created_at: CreatedAt;
}

export interface SpaceBansTable {
  space_id: string;
  account_id: string;
  created_at: CreatedAt;
}

export interface SpaceInvitesTable {
  id: Generated<string>;
  space_id: string;
  /** The invited account: only it may accept. */
  account_id: string;
  /** SHA-256 of the invite's code: the code itself is never stored. */
  code_hash: Uint8Array;
  created_by: string;
  expires_at: Date;
  used_at: Date | null;
  revoked_at: Date | null;
  created_at: CreatedAt;
}

/** A host's Stripe Connect (Express) account, as the last `account.updated` described it. */
export interface StripeAccountsTable {
  account_id: string;
  stripe_account_id: string;
  charges_enabled: Generated<boolean>;
  payouts_enabled: Generated<boolean>;
  details_submitted: Generated<boolean>;
  /** `requirements.currently_due`: what Stripe still needs before charges are enabled. */
  requirements_due: ColumnType<string[], string | undefined, string>;
  disabled_reason: string | null;
  default_currency: string | null;
  country: string | null;
  /** Stripe's `created` of the last applied `account.updated` (older events are ignored). */
  stripe_updated_at: Date | null;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, never, Date>;
}

/** A Space's tickets: price (minor units), capacity and the seat counters (`sold + held <= capacity`, checked). */
export interface TicketOffersTable {
  space_id: string;
  host_account_id: string;
  currency: string;
  amount: number;
  capacity: number;
  sold: Generated<number>;
  held: Generated<number>;
  sales_open_at: Date | null;
  sales_close_at: Date | null;
  platform_fee_bps: number;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, never, Date>;
}

export type SeatHoldStatus = 'held' | 'awaiting_payment' | 'completed' | 'released';

export interface SeatHoldsTable {
  id: Generated<string>;
  space_id: string;
  account_id: string;
  status: ColumnType<SeatHoldStatus, SeatHoldStatus | undefined, SeatHoldStatus>;
  checkout_session_id: string | null;
  checkout_url: string | null;
  expires_at: Date;
  release_reason: string | null;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, never, Date>;
}

export type TicketStatus = 'paid' | 'refunding' | 'refunded' | 'disputed';

export interface TicketsTable {
  id: Generated<string>;
  space_id: string;
  account_id: string;
  hold_id: string;
  checkout_session_id: string;
  payment_intent_id: string | null;
  charge_id: string | null;
  status: ColumnType<TicketStatus, TicketStatus | undefined, TicketStatus>;
  currency: string;
  amount: number;
  platform_fee: number;
  refunded_amount: Generated<number>;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, never, Date>;
}

/** Every Stripe event received, by id (a redelivery inserts nothing). */
export interface StripeEventsTable {
  id: string;
  type: string;
  stripe_account_id: string | null;
  stripe_created_at: Date;
  payload: ColumnType<unknown, string, string>;
  received_at: Generated<Date>;
  processed_at: Date | null;
  attempts: Generated<number>;
  last_error: string | null;
}

export type RefundStatus = 'pending' | 'succeeded' | 'failed';

/** One refund asked of Stripe; its idempotency key is fixed before the call. */
export interface TicketRefundsTable {
  id: Generated<string>;
  ticket_id: string;
  idempotency_key: string;
  reason: string;
  status: ColumnType<RefundStatus, RefundStatus | undefined, RefundStatus>;
  amount: number;
  stripe_refund_id: string | null;
  attempts: Generated<number>;
  last_error: string | null;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, never, Date>;
}

export interface ReminderContactsTable {
  account_id: string;
  /** Where e-mail reminders go (null: none given yet). */
  email: string | null;
  /** IANA zone the start time is written in. */
  time_zone: string;
  /** In every reminder e-mail's unsubscribe link (32 random bytes, base64url). */
  unsubscribe_token: string;
  email_unsubscribed_at: Date | null;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface RemindersTable {
  account_id: string;
  space_id: string;
  by_email: boolean;
  by_push: boolean;
  by_calendar: boolean;
  /** Also this many minutes before the start (null: only at the start). */
  minutes_before: number | null;
  created_at: CreatedAt;
}

export interface CreatorRemindersTable {
  follower_id: string;
  creator_id: string;
  by_email: boolean;
  by_push: boolean;
  by_calendar: boolean;
  minutes_before: number | null;
  created_at: CreatedAt;
}

export interface PushSubscriptionsTable {
  id: Generated<string>;
  account_id: string;
  endpoint: string;
  p256dh: string;
  auth: string;
  created_at: CreatedAt;
}

export interface VapidKeysTable {
  id: number;
  public_key: string;
  private_key: string;
  created_at: CreatedAt;
}

export interface ReminderDeliveriesTable {
  /** Unique per account, Space, channel, kind and occurrence: the exactly-once key. */
  idempotency_key: string;
  account_id: string;
  space_id: string;
  channel: 'email' | 'push' | 'calendar';
  status: 'sending' | 'sent' | 'failed' | 'skipped';
  attempts: ColumnType<number, number | undefined, number>;
  /** A "sending" claim older than this was left by a sender that died: it may be taken again. */
  lease_until: Date;
  sent_at: Date | null;
  detail: string | null;
  created_at: CreatedAt;
}

export interface SpaceCalendarsTable {
  space_id: string;
  /** The calendar entry's SEQUENCE: bumped each time the Space moves, is renamed or is cancelled. */
  sequence: number;
  starts_at: Date;
  title: string;
  cancelled: boolean;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface Tables {
  accounts: AccountsTable;
  sessions: SessionsTable;
  follows: FollowsTable;
  spaces: SpacesTable;
  space_roles: SpaceRolesTable;
  space_bans: SpaceBansTable;
  space_invites: SpaceInvitesTable;
  reminder_contacts: ReminderContactsTable;
  reminders: RemindersTable;
  creator_reminders: CreatorRemindersTable;
  push_subscriptions: PushSubscriptionsTable;
  vapid_keys: VapidKeysTable;
  reminder_deliveries: ReminderDeliveriesTable;
  space_calendars: SpaceCalendarsTable;
  stripe_accounts: StripeAccountsTable;
  ticket_offers: TicketOffersTable;
  seat_holds: SeatHoldsTable;
  tickets: TicketsTable;
  stripe_events: StripeEventsTable;
  ticket_refunds: TicketRefundsTable;
  caption_segments: CaptionSegmentsTable;
  caption_revisions: CaptionRevisionsTable;
  caption_vocabulary: CaptionVocabularyTable;
  caption_replacements: CaptionReplacementsTable;
  stripe_payment_facts: StripePaymentFactsTable;
  ticket_refund_terms: TicketRefundTermsTable;
}

export type AccountRow = Selectable<AccountsTable>;
export type NewAccountRow = Insertable<AccountsTable>;
export type SessionRow = Selectable<SessionsTable>;
export type SpaceRow = Selectable<SpacesTable>;
export type InviteRow = Selectable<SpaceInvitesTable>;
