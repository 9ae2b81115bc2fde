import { useId, useState, type ReactNode } from 'react';
import type { SpaceJson } from '../../../../../electron/contract.ts';
import { describeError } from '../../../../lib/error-messages.ts';
import { useCancelSpace, useEditSpace, useScheduleSpace, useUpcomingSpaces } from '../api/spaces.ts';
import { moveNote, refundProgressLine, tickets, useRefundProgress, useTicketHolders } from '../api/ticket-refunds.ts';
import { describeWhen } from '../lib/zoned-time.ts';
import { HostReminders } from './host-reminders.tsx';
import { ScheduleForm } from './schedule-form.tsx';

/**
 * The host's upcoming Spaces: schedule one, edit or cancel it while it is scheduled, start it
 * (`onGoLive`), and whatever the app adds per Space (`extra`: co-host invites).
 *
 * A Space with tickets sold says what a change means for the buyers: moving it keeps their tickets
 * (they are told and may ask for a refund), cancelling it refunds every ticket (the confirmation
 * says how many and how much). A cancelled ticketed Space stays in the list (the server lists it for
 * a week) with its refunds' progress and whatever the app adds (`cancelledExtra`: the sales dashboard).
 */
export function UpcomingSpaces(props: {
  onGoLive: (space: SpaceJson) => void;
  canGoLive: boolean;
  extra?: (space: SpaceJson) => ReactNode;
  cancelledExtra?: (space: SpaceJson) => ReactNode;
}) {
  const upcoming = useUpcomingSpaces(true);
  const schedule = useScheduleSpace();
  const [adding, setAdding] = useState(false);
  // Cancelled here (kept at once), or listed by the server (cancelled lately with tickets); hidden ones stay hidden this session.
  const [cancelledHere, setCancelledHere] = useState<SpaceJson[]>([]);
  const [hidden, setHidden] = useState<ReadonlySet<string>>(new Set());
  const heading = useId();
  const listed = upcoming.data?.spaces ?? [];
  const spaces = listed.filter((s) => s.status !== 'cancelled');
  const cancelled = [...cancelledHere, ...listed.filter((s) => s.status === 'cancelled' && !cancelledHere.some((c) => c.id === s.id))].filter(
    (s) => !hidden.has(s.id) && !spaces.some((a) => a.id === s.id),
  );

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
          <UpcomingSpace
            key={space.id}
            space={space}
            onGoLive={props.onGoLive}
            canGoLive={props.canGoLive}
            extra={props.extra}
            onCancelled={(gone, ticketed) => ticketed && setCancelledHere((list) => [gone, ...list.filter((s) => s.id !== gone.id)])}
          />
        ))}
        {cancelled.map((space) => (
          <CancelledSpace key={space.id} space={space} extra={props.cancelledExtra} onDismiss={() => setHidden((set) => new Set([...set, space.id]))} />
        ))}
      </ul>
    </section>
  );
}

/** A Space the host cancelled (with tickets sold): its refunds as they finish, and the sales dashboard. */
function CancelledSpace({ space, extra, onDismiss }: { space: SpaceJson; extra?: ((space: SpaceJson) => ReactNode) | undefined; onDismiss: () => void }) {
  const progress = useRefundProgress(space.id);
  return (
    <li className="space-item" aria-label={space.title}>
      <div className="space-item-head">
        <strong>{space.title}</strong>
        <span className="pill pill-cancelled">Cancelled</span>
      </div>
      <p className="hint refund-progress" role="status">
        {progress.data ? refundProgressLine(progress.data) : progress.isError ? `Cancelled. The refunds could not be read (${describeError(progress.error)}).` : 'Cancelled. Reading the refunds…'}
      </p>
      <div className="actions">
        <button type="button" className="link" onClick={onDismiss}>
          Remove from the list
        </button>
      </div>
      {extra ? extra(space) : null}
    </li>
  );
}

function UpcomingSpace({
  space,
  onGoLive,
  canGoLive,
  extra,
  onCancelled,
}: {
  space: SpaceJson;
  onGoLive: (space: SpaceJson) => void;
  canGoLive: boolean;
  extra?: ((space: SpaceJson) => ReactNode) | undefined;
  onCancelled: (space: SpaceJson, ticketed: boolean) => void;
}) {
  const edit = useEditSpace();
  const cancel = useCancelSpace();
  const [editing, setEditing] = useState(false);
  const [confirmCancel, setConfirmCancel] = useState(false);
  const holders = useTicketHolders(space.id, (editing || confirmCancel) && space.status === 'scheduled');
  const sold = holders.data?.sold ?? 0;
  const when = space.scheduledFor ? new Date(space.scheduledFor) : null;

  if (editing && when) {
    return (
      <li className="space-item" aria-label={space.title}>
        <ScheduleForm
          initial={{ title: space.title, startsAt: when, timeZone: space.timeZone ?? 'UTC' }}
          note={holders.data ? moveNote(holders.data) : undefined}
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
          {confirmCancel ? null : (
            <button type="button" onClick={() => setConfirmCancel(true)}>
              Cancel…
            </button>
          )}
        </div>
      ) : null}
      {space.status === 'scheduled' && confirmCancel ? (
        <div className="confirm" role="group" aria-label="Cancel this Space?">
          <p>
            {holders.isPending
              ? 'Checking its tickets…'
              : holders.isError
                ? 'Its tickets could not be checked just now; cancelling refunds every ticket sold, in full.'
                : sold > 0
                ? `${tickets(sold)} sold. Cancelling refunds every buyer in full (${holders.data?.soldAmount ?? ''}): the money comes back from your payouts and the platform’s fee, and their page says the Space was cancelled.`
                : 'Its page will say it was cancelled. This cannot be undone.'}
          </p>
          <div className="actions">
            <button
              type="button"
              className="danger"
              disabled={cancel.isPending || holders.isPending}
              onClick={() =>
                cancel.mutate(
                  { spaceId: space.id },
                  { onSuccess: (gone) => onCancelled(gone, holders.data?.ticketed === true && holders.data.sold + holders.data.refunding + holders.data.refunded > 0) },
                )
              }
            >
              {sold > 0 ? `Cancel and refund ${tickets(sold)}` : 'Cancel this Space'}
            </button>
            <button type="button" onClick={() => setConfirmCancel(false)}>
              Keep it
            </button>
          </div>
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
