/** Who is signed in on the listener page, with sign-in or sign-out. Listening never needs an account. */
import type { AccountSnapshot } from '../account/account-store.ts';

export function AccountBar({ account, onSignIn, onSignOut }: { account: AccountSnapshot; onSignIn: () => void; onSignOut: () => void }) {
  if (account.status === 'guest') {
    return (
      <div className="account-bar">
        <span className="muted">Listening as a guest</span>
        <button type="button" className="link" onClick={onSignIn}>
          Sign in
        </button>
      </div>
    );
  }
  return (
    <div className="account-bar">
      <span>
        Signed in as <strong>{account.account.displayName}</strong> <span className="muted">@{account.account.handle}</span>
      </span>
      <button type="button" className="link" onClick={onSignOut}>
        Sign out
      </button>
    </div>
  );
}
