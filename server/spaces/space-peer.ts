import type { PeerId } from '../domain/space.ts';
import type { NotificationFrame } from '../signalling/protocol.ts';

/** A connection taking part in a Space, as the Space sees it. */
export interface SpacePeer {
  readonly id: PeerId;
  /** Sends a notification serialised once for every peer (see `encodeNotification`). */
  send(frame: NotificationFrame): void;
  /** The Space is gone: forget it (the connection itself stays open). */
  detach(): void;
}
