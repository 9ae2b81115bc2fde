import { useId, useState, type ReactNode } from 'react';
import type { SpaceJson } from '../../../../../electron/contract.ts';
import { describeError } from '../../../../lib/error-messages.ts';
import { useCancelSpace, useEditSpace, useScheduleSpace, useUpcomingSpaces } from '../api/spaces.ts';
import { describeWhen } from '../lib/zoned-time.ts';
import { HostReminders } from './host-reminders.tsx';
import { ScheduleForm } from './schedule-form.tsx';

/**
 * The host's upcoming Spaces: schedule one, edit or cancel it while it is scheduled, start it
 * (`onGoLive`), and whatever the app adds per Space (`extra`: co-host invites).
 */
export function UpcomingSpaces(props: { onGoLive: (space: SpaceJson) => void; canGoLive: boolean; extra?: (space: SpaceJson) => ReactNode }) {
  const upcoming = useUpcomingSpaces(true);
  const schedule = useScheduleSpace();
  const [adding, setAdding] = useState(false);
  const heading = useId();
  const spaces = upcoming.data?.spaces ?? [];

  return (
    <section className="panel" aria-labelledby={heading}>
      <div className="panel-head">
        <h2 id={heading}>Upcoming Spaces</h2>
        {adding ? null : (
          <button type="button" onClick={() => setAdding(true)}>
            Schedule a Space
          </button>
        )}
      </div>
      {adding ? (
        <ScheduleForm
          submitLabel="Schedule"
          premiereOption
          pending={schedule.isPending}
          error={schedule.error}
          onSubmit={(values) => schedule.mutate(values, { onSuccess: () => setAdding(false) })}
          onCancel={() => {
            schedule.reset();
            setAdding(false);
          }}
        />
      ) : null}
      {upcoming.isError ? (
        <p className="error" role="alert">
          {describeError(upcoming.error)}
        </p>
      ) : null}
      <HostReminders spaces={spaces} onGoLive={props.onGoLive} canGoLive={props.canGoLive} />
      {upcoming.isSuccess && spaces.length === 0 && !adding ? <p className="hint">Nothing scheduled. Schedule a Space and share its link ahead of time.</p> : null}
      <ul className="space-list" aria-label="Your upcoming Spaces">
        {spaces.map((space) => (
          <UpcomingSpace key={space.id} space={space} onGoLive={props.onGoLive} canGoLive={props.canGoLive} extra={props.extra} />
        ))}
      </ul>
    </section>
  );
}

function UpcomingSpace({ space, onGoLive, canGoLive, extra }: { space: SpaceJson; onGoLive: (space: SpaceJson) => void; canGoLive: boolean; extra?: ((space: SpaceJson) => ReactNode) | undefined }) {
  const edit = useEditSpace();
  const cancel = useCancelSpace();
  const [editing, setEditing] = useState(false);
  const [confirmCancel, setConfirmCancel] = useState(false);
  const when = space.scheduledFor ? new Date(space.scheduledFor) : null;

  if (editing && when) {
    return (
      <li className="space-item">
        <ScheduleForm
          initial={{ title: space.title, startsAt: when, timeZone: space.timeZone ?? 'UTC' }}
          submitLabel="Save changes"
          pending={edit.isPending}
          error={edit.error}
          onSubmit={(values) => edit.mutate({ spaceId: space.id, ...values }, { onSuccess: () => setEditing(false) })}
          onCancel={() => {
            edit.reset();
            setEditing(false);
          }}
        />
      </li>
    );
  }
  return (
    <li className="space-item" aria-label={space.title}>
      <div className="space-item-head">
        <strong>{space.title}</strong>
        <span className={`pill pill-${space.status}`}>{space.status === 'live' ? 'Live' : 'Scheduled'}</span>
      </div>
      {when ? (
        <p className="hint">
          <time dateTime={when.toISOString()}>{describeWhen(when)}</time>
          {space.timeZone && space.timeZone !== Intl.DateTimeFormat().resolvedOptions().timeZone ? ` · ${describeWhen(when, space.timeZone)}` : null}
        </p>
      ) : null}
      <p className="hint">
        <a href={space.link} target="_blank" rel="noreferrer">
          {space.link}
        </a>
      </p>
      {space.status === 'scheduled' ? (
        <div className="actions">
          <button type="button" className="primary" disabled={!canGoLive} onClick={() => onGoLive(space)}>
            Go live now
          </button>
          <button type="button" onClick={() => setEditing(true)}>
            Edit
          </button>
          {confirmCancel ? (
            <>
              <button type="button" className="danger" disabled={cancel.isPending} onClick={() => cancel.mutate({ spaceId: space.id })}>
                Cancel this Space
              </button>
              <button type="button" onClick={() => setConfirmCancel(false)}>
                Keep it
              </button>
            </>
          ) : (
            <button type="button" onClick={() => setConfirmCancel(true)}>
              Cancel…
            </button>
          )}
        </div>
      ) : null}
      {cancel.error ? (
        <p className="error" role="alert">
          {describeError(cancel.error)}
        </p>
      ) : null}
      {extra ? extra(space) : null}
    </li>
  );
}
