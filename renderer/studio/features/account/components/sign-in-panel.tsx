import { useId, useState, type FormEvent } from 'react';
import { describeError } from '../../../../lib/error-messages.ts';
import { useSignIn, useSignUp } from '../api/account.ts';

/** The server's list of what was wrong with a sign-up ("password: at least 10 characters"), when it sent one. */
function problems(error: unknown): string[] {
  const details = (error as { details?: unknown } | null)?.details;
  return Array.isArray(details) ? details.filter((d): d is string => typeof d === 'string') : [];
}

/** Sign in (or create an account) on the studio's server: hosting needs a signed-in account. */
export function SignInPanel() {
  const [mode, setMode] = useState<'signIn' | 'signUp'>('signIn');
  const signIn = useSignIn();
  const signUp = useSignUp();
  const pending = signIn.isPending || signUp.isPending;
  const error = mode === 'signIn' ? signIn.error : signUp.error;
  const ids = { heading: useId(), error: useId() };

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const handle = String(form.get('handle') ?? '');
    const password = String(form.get('password') ?? '');
    if (mode === 'signIn') signIn.mutate({ handle, password });
    else signUp.mutate({ handle, password, displayName: String(form.get('displayName') ?? '') });
  };

  return (
    <section className="panel" aria-labelledby={ids.heading}>
      <h2 id={ids.heading}>{mode === 'signIn' ? 'Sign in to host' : 'Create your account'}</h2>
      <p className="hint">Hosting a Space needs an account on this server with enough followers.</p>
      <form onSubmit={submit} aria-describedby={error ? ids.error : undefined}>
        <label className="field">
          <span>Handle</span>
          <input name="handle" autoComplete="username" required maxLength={20} autoCapitalize="none" spellCheck={false} />
        </label>
        {mode === 'signUp' ? (
          <label className="field">
            <span>Display name</span>
            <input name="displayName" autoComplete="name" required maxLength={50} />
          </label>
        ) : null}
        <label className="field">
          <span>Password</span>
          <input name="password" type="password" autoComplete={mode === 'signIn' ? 'current-password' : 'new-password'} required />
        </label>
        {error ? (
          <div className="error" role="alert" id={ids.error}>
            <p>{describeError(error)}</p>
            {problems(error).length > 0 ? (
              <ul>
                {problems(error).map((problem) => (
                  <li key={problem}>{problem}</li>
                ))}
              </ul>
            ) : null}
          </div>
        ) : null}
        <button type="submit" className="primary" disabled={pending}>
          {pending ? 'One moment…' : mode === 'signIn' ? 'Sign in' : 'Create account'}
        </button>
      </form>
      <button type="button" className="link" onClick={() => setMode(mode === 'signIn' ? 'signUp' : 'signIn')}>
        {mode === 'signIn' ? 'New here? Create an account' : 'Have an account? Sign in'}
      </button>
    </section>
  );
}
