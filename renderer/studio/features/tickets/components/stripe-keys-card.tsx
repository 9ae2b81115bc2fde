/**
 * "Stripe keys" (issue #9): the platform's Stripe secret key and webhook signing secret for the
 * studio's own server, checked here by the contract's rules (the server's, declared once), saved by
 * the studio to a private file, after which the server restarts with ticket sales on. Once saved
 * only the key's kind and last four characters are shown; the form can replace or remove them.
 * With a remote server the keys are that server's business, and the card says so.
 */
import { useId, useState, type FormEvent } from 'react';
import { stripeKeysSchema } from '../../../../../electron/contract.ts';
import { describeError } from '../../../../lib/error-messages.ts';
import { useRemoveStripeKeys, useSaveStripeKeys, useStripeKeys } from '../api/stripe-keys.ts';

type Field = 'secretKey' | 'webhookSecret';

/** The form's values checked by the contract's schema: the keys, or a sentence per bad field. */
export function checkStripeKeys(values: Record<Field, string>): { keys: Record<Field, string> } | { problems: Partial<Record<Field, string>> } {
  const parsed = stripeKeysSchema.safeParse({ secretKey: values.secretKey.trim(), webhookSecret: values.webhookSecret.trim() });
  if (parsed.success) return { keys: parsed.data };
  const problems: Partial<Record<Field, string>> = {};
  for (const issue of parsed.error.issues) {
    const field = issue.path[0] as Field;
    problems[field] ??= issue.message.replace(/^must be/, 'This must be');
  }
  return { problems };
}

export function StripeKeysCard() {
  const status = useStripeKeys();
  const save = useSaveStripeKeys();
  const remove = useRemoveStripeKeys();
  const [replacing, setReplacing] = useState(false);
  const [problems, setProblems] = useState<Partial<Record<Field, string>>>({});
  const ids = { heading: useId(), secretKey: useId(), webhookSecret: useId() };
  const data = status.data;
  const busy = save.isPending || remove.isPending;

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const values = new FormData(form);
    const checked = checkStripeKeys({ secretKey: String(values.get('secretKey') ?? ''), webhookSecret: String(values.get('webhookSecret') ?? '') });
    if ('problems' in checked) return setProblems(checked.problems);
    setProblems({});
    save.mutate(checked.keys, {
      onSuccess: () => {
        // The keys leave the page: the form is emptied and the mutation forgets what it sent.
        form.reset();
        setReplacing(false);
        save.reset();
      },
    });
  };

  const field = (name: Field, label: string, hint: string) => (
    <label className="field" htmlFor={ids[name]}>
      <span>{label}</span>
      <input
        id={ids[name]}
        name={name}
        type="password"
        autoComplete="off"
        spellCheck={false}
        required
        aria-invalid={problems[name] ? true : undefined}
        aria-describedby={problems[name] ? `${ids[name]}-problem` : undefined}
        placeholder={hint}
      />
      {problems[name] ? (
        <span className="error" id={`${ids[name]}-problem`} role="alert">
          {problems[name]}
        </span>
      ) : null}
    </label>
  );

  return (
    <section className="panel stripe-keys" aria-labelledby={ids.heading}>
      <h2 id={ids.heading}>Stripe keys</h2>
      {status.isPending ? <p className="muted">Checking Stripe keys…</p> : null}
      {status.error ? (
        <p className="error" role="alert">
          {describeError(status.error)}
        </p>
      ) : null}
      {data?.server === 'remote' ? (
        <p className="muted" role="status" data-stripe-keys="remote">
          This studio works with a remote server: its Stripe keys are set on that server.
        </p>
      ) : null}
      {data?.server === 'bundled' ? (
        <>
          {data.saved ? (
            <p role="status" data-stripe-keys="connected">
              Connected: {data.saved.secretKey} {data.saved.livemode ? '(live: real payments)' : '(test mode)'}
            </p>
          ) : (
            <p className="muted" role="status" data-stripe-keys="none">
              Ticket sales are off: no Stripe keys are set for this studio’s server. Add your platform’s Stripe secret key and webhook signing secret
              to sell tickets; free Spaces work without them.
            </p>
          )}
          {data.problem ? (
            <p className="error" role="alert">
              {data.problem}
            </p>
          ) : null}
          {!data.saved || replacing ? (
            <form onSubmit={submit} aria-label="Stripe keys" noValidate>
              {field('secretKey', 'Secret key', 'sk_live_… or sk_test_…')}
              {field('webhookSecret', 'Webhook signing secret', 'whsec_…')}
              <p className="muted">Kept in a file only you can read on this computer; the server restarts to use them.</p>
              <div className="actions">
                <button type="submit" className="primary" disabled={busy}>
                  {save.isPending ? 'Saving, restarting the server…' : 'Save keys'}
                </button>
                {replacing ? (
                  <button type="button" disabled={busy} onClick={() => (setReplacing(false), setProblems({}))}>
                    Cancel
                  </button>
                ) : null}
              </div>
            </form>
          ) : null}
          {(data.saved || data.problem) && !replacing ? (
            <div className="actions">
              {data.saved ? (
                <button type="button" disabled={busy} onClick={() => setReplacing(true)}>
                  Replace keys
                </button>
              ) : null}
              <button type="button" disabled={busy} onClick={() => remove.mutate()}>
                {remove.isPending ? 'Removing, restarting the server…' : 'Remove keys'}
              </button>
            </div>
          ) : null}
          {save.error || remove.error ? (
            <p className="error" role="alert">
              {describeError(save.error ?? remove.error)}
            </p>
          ) : null}
        </>
      ) : null}
    </section>
  );
}
