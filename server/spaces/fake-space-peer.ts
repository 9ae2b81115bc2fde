/** A connection as the Space sees it, for tests: keeps every frame it is sent. */
import type { PeerId } from '../domain/space.ts';
import type { NotificationFrame } from '../signalling/protocol.ts';
import type { PeerAccount, SpacePeer } from './space-peer.ts';

export class FakeSpacePeer implements SpacePeer {
  readonly frames: NotificationFrame[] = [];
  readonly id: PeerId;
  account: PeerAccount | null;
  detached = false;

  /** A guest unless given a handle: then signed in as `acc-<handle>`. */
  constructor(id: string, handle: string | null = null) {
    this.id = id as PeerId;
    this.account = handle ? { id: `acc-${handle}`, handle, displayName: handle.toUpperCase() } : null;
  }

  send(frame: NotificationFrame): void {
    this.frames.push(frame);
  }

  detach(): void {
    this.detached = true;
  }

  notifications(name: string): Array<Record<string, unknown>> {
    return this.frames
      .map((f) => JSON.parse(f) as { notification: string; data: Record<string, unknown> })
      .filter((m) => m.notification === name)
      .map((m) => m.data);
  }

  last(name: string): Record<string, unknown> | undefined {
    return this.notifications(name).at(-1);
  }
}
