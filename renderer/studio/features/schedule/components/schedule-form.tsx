import { useId, useState, type FormEvent } from 'react';
import { describeError } from '../../../../lib/error-messages.ts';
import { deviceTimeZone, instantOf, localInputValue, timeZones } from '../lib/zoned-time.ts';

export type ScheduleValues = { title: string; startsAt: string; timeZone: string; premiere?: boolean };

/** Title, a start on the clock of a chosen zone (the device's by default), up to 30 days ahead; a new Space may be a premiere. */
export function ScheduleForm(props: {
  initial?: { title: string; startsAt: Date; timeZone: string };
  /** Offer "This is a premiere" (when scheduling; a scheduled Space keeps what it is). */
  premiereOption?: boolean;
  submitLabel: string;
  /** What the change means beyond the Space itself (tickets sold…), shown above the buttons. */
  note?: string | undefined;
  pending: boolean;
  error: unknown;
  onSubmit: (values: ScheduleValues) => void;
  onCancel?: () => void;
}) {
  const zone = props.initial?.timeZone ?? deviceTimeZone();
  const [timeZone, setTimeZone] = useState(zone);
  const [local, setLocal] = useState(() => localInputValue(props.initial?.startsAt ?? new Date(Date.now() + 3600_000), zone));
  const [title, setTitle] = useState(props.initial?.title ?? '');
  const [premiere, setPremiere] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const ids = { title: useId(), when: useId(), zone: useId(), error: useId(), premiere: useId() };
  const now = new Date();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    let startsAt: Date;
    try {
      startsAt = instantOf(local, timeZone);
    } catch {
      setProblem('Choose a date and a time.');
      return;
    }
    setProblem(null);
    props.onSubmit({ title: title.trim(), startsAt: startsAt.toISOString(), timeZone, ...(props.premiereOption ? { premiere } : {}) });
  };

  const error = problem ?? (props.error ? describeError(props.error) : null);
  return (
    <form className="schedule-form" onSubmit={submit} aria-describedby={error ? ids.error : undefined}>
      <label className="field" htmlFor={ids.title}>
        <span>Title</span>
        <input id={ids.title} value={title} onChange={(e) => setTitle(e.target.value)} required maxLength={120} />
      </label>
      <div className="schedule-when">
        <label className="field" htmlFor={ids.when}>
          <span>Starts</span>
          <input
            id={ids.when}
            type="datetime-local"
            value={local}
            min={localInputValue(now, timeZone)}
            max={localInputValue(new Date(now.getTime() + 30 * 24 * 3600_000), timeZone)}
            onChange={(e) => setLocal(e.target.value)}
            required
          />
        </label>
        <label className="field" htmlFor={ids.zone}>
          <span>Time zone</span>
          <select id={ids.zone} value={timeZone} onChange={(e) => setTimeZone(e.target.value)}>
            {timeZones().map((z) => (
              <option key={z} value={z}>
                {z.replaceAll('_', ' ')}
              </option>
            ))}
          </select>
        </label>
      </div>
      {props.premiereOption ? (
        <label className="check" htmlFor={ids.premiere}>
          <input id={ids.premiere} type="checkbox" checked={premiere} onChange={(e) => setPremiere(e.target.checked)} />
          <span>This is a premiere (its page counts down to the premiere)</span>
        </label>
      ) : null}
      {props.note ? <p className="hint schedule-note">{props.note}</p> : null}
      {error ? (
        <p className="error" role="alert" id={ids.error}>
          {error}
        </p>
      ) : null}
      <div className="actions">
        <button type="submit" className="primary" disabled={props.pending}>
          {props.pending ? 'Saving…' : props.submitLabel}
        </button>
        {props.onCancel ? (
          <button type="button" onClick={props.onCancel}>
            Keep as it was
          </button>
        ) : null}
      </div>
    </form>
  );
}
