import type { PeerId } from '../domain/space.ts';
import type { NotificationData, NotificationName } from '../signalling/protocol.ts';

/** A connection taking part in a Space, as the Space sees it. */
export interface SpacePeer {
  readonly id: PeerId;
  notify<N extends NotificationName>(name: N, data: NotificationData<N>): void;
  /** The Space is gone: forget it (the connection itself stays open). */
  detach(): void;
}
