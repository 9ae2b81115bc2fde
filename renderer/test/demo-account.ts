/** The studio's demo account as `studio:account:*` answers it, for the account feature's tests. */
import type { StudioAccount } from '../../electron/contract.ts';

export const DEMO_ACCOUNT: StudioAccount = {
  id: 'a1',
  handle: 'demo_creator',
  displayName: 'Demo Creator',
  followers: 603,
  mayHost: true,
  followersNeeded: 0,
  sessionToken: 'session-token-0123456789',
};
