import type { PeerId } from '../domain/space.ts';
import type { NotificationFrame } from '../signalling/protocol.ts';

/** The account a connection signed in as. */
export type PeerAccount = { readonly id: string; readonly handle: string; readonly displayName: string };

/** A connection taking part in a Space, as the Space sees it. */
export interface SpacePeer {
  readonly id: PeerId;
  /** Who signed in on this connection; null (or absent) for a guest, who may only listen. */
  readonly account?: PeerAccount | null;
  /** Sends a notification serialised once for every peer (see `encodeNotification`). */
  send(frame: NotificationFrame): void;
  /** The Space is gone: forget it (the connection itself stays open). */
  detach(): void;
}
