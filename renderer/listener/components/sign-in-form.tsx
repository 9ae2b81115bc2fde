/**
 * Sign in or create an account, on the listener page. Shown when a listener
 * does something that needs an account (asking to speak, reacting), with the
 * reason at the top. Each wrong field says what is wrong next to it; other
 * failures are one sentence in an alert.
 */
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { describeError } from '../../lib/error-messages.ts';
import { fieldProblems } from '../account/account-api.ts';
import type { AccountStore } from '../account/account-store.ts';

type Mode = 'sign-in' | 'sign-up';

function Field(props: {
  name: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  problem: string | undefined;
  type?: string;
  autoComplete: string;
  hint?: string;
  inputRef?: React.Ref<HTMLInputElement>;
}) {
  const id = useId();
  const describedBy = [props.hint ? `${id}-hint` : null, props.problem ? `${id}-problem` : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      <input
        id={id}
        ref={props.inputRef}
        name={props.name}
        type={props.type ?? 'text'}
        autoComplete={props.autoComplete}
        autoCapitalize="off"
        spellCheck={false}
        required
        value={props.value}
        aria-invalid={props.problem ? true : undefined}
        aria-describedby={describedBy}
        onChange={(e) => props.onChange(e.target.value)}
      />
      {props.hint ? (
        <small id={`${id}-hint`} className="hint">
          {props.hint}
        </small>
      ) : null}
      {props.problem ? (
        <small id={`${id}-problem`} className="problem">
          {props.problem}
        </small>
      ) : null}
    </div>
  );
}

const capitalised = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

export function SignInForm({ store, reason, onDone, onCancel }: { store: AccountStore; reason?: string | undefined; onDone: () => void; onCancel: () => void }) {
  const [mode, setMode] = useState<Mode>('sign-in');
  const [handle, setHandle] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const first = useRef<HTMLInputElement>(null);
  const headingId = useId();
  useEffect(() => first.current?.focus(), [mode]);

  const problems = fieldProblems(error);
  const generalError = error && Object.keys(problems).length === 0 ? describeError(error) : null;
  const problem = (field: string) => (problems[field] ? `${capitalised(problems[field])}.`.replace(/\.\.$/, '.') : undefined);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const done = mode === 'sign-in' ? store.signIn({ handle, password }) : store.signUp({ handle, displayName, password });
    done.then(
      () => onDone(),
      (e: unknown) => {
        setError(e);
        setBusy(false);
      },
    );
  };

  const switchTo = (next: Mode) => {
    setMode(next);
    setError(null);
  };

  return (
    <form className="sign-in" aria-labelledby={headingId} onSubmit={submit} noValidate>
      <h2 id={headingId}>{mode === 'sign-in' ? 'Sign in' : 'Create an account'}</h2>
      {reason ? <p className="reason">{reason}</p> : null}
      <Field
        name="handle"
        label="Handle"
        value={handle}
        onChange={setHandle}
        problem={problem('handle')}
        autoComplete="username"
        inputRef={first}
        hint={mode === 'sign-up' ? '3–20 characters: letters, digits and underscores.' : undefined}
      />
      {mode === 'sign-up' ? <Field name="displayName" label="Display name" value={displayName} onChange={setDisplayName} problem={problem('displayName')} autoComplete="nickname" /> : null}
      <Field
        name="password"
        label="Password"
        type="password"
        value={password}
        onChange={setPassword}
        problem={problem('password')}
        autoComplete={mode === 'sign-in' ? 'current-password' : 'new-password'}
        hint={mode === 'sign-up' ? 'At least 10 characters.' : undefined}
      />
      {generalError ? (
        <p className="error" role="alert">
          {generalError}
        </p>
      ) : null}
      <div className="form-actions">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'One moment…' : mode === 'sign-in' ? 'Sign in' : 'Create account'}
        </button>
        <button type="button" onClick={onCancel} disabled={busy}>
          Not now
        </button>
      </div>
      <p className="switch">
        {mode === 'sign-in' ? (
          <>
            New here?{' '}
            <button type="button" className="link" onClick={() => switchTo('sign-up')}>
              Create an account
            </button>
          </>
        ) : (
          <>
            Have an account?{' '}
            <button type="button" className="link" onClick={() => switchTo('sign-in')}>
              Sign in instead
            </button>
          </>
        )}
      </p>
    </form>
  );
}
