import type { StudioAccount } from '../../../../../electron/contract.ts';
import { useSignOut } from '../api/account.ts';

/** Who the studio is signed in as, whether they may host, and how many followers they still need. */
export function AccountCard({ account }: { account: StudioAccount }) {
  const signOut = useSignOut();
  return (
    <div className="account-card" aria-label="Your account">
      <span>
        <strong>{account.displayName}</strong> <span className="hint">@{account.handle}</span>
      </span>
      <span className="hint">
        {account.followers} {account.followers === 1 ? 'follower' : 'followers'}
      </span>
      {account.mayHost ? null : (
        <p className="notice" role="status">
          Hosting needs more followers: you need {account.followersNeeded} more.
        </p>
      )}
      <button type="button" className="link" onClick={() => signOut.mutate()} disabled={signOut.isPending}>
        Sign out
      </button>
    </div>
  );
}
