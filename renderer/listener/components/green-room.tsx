/**
 * The green room: after the host accepts a request to speak and before the
 * speaker's microphone goes out. One tap opens the microphone (and unlocks
 * audio), a live meter shows it is heard, headphones are suggested (a headset
 * or a Bluetooth call-quality microphone is recognised by its name), and the
 * speaker may hear themselves back after a short delay. "Join stage" hands
 * the track to the stage, where it starts muted.
 */
import { useEffect, useId, useRef, useState } from 'react';
import { describeError } from '../../lib/error-messages.ts';
import { headsetHints, type MicCheckLike, type MicLevel, type MicrophoneInfo } from '../lib/mic-check.ts';

/** Above this the meter counts as "we hear you" (room noise sits well below). */
export const HEARD_DBFS = -50;
const METER_FLOOR_DBFS = -60;
const SILENT: MicLevel = { rmsDbfs: -100, peakDbfs: -100 };

/** What went wrong with the microphone, in a sentence (the browser's own errors first). */
export function micProblem(error: unknown): string {
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'NotReadableError') return 'The microphone is busy: another app may be using it. Close that app and try again.';
  if (name === 'OverconstrainedError') return 'That microphone is not there any more. Pick another one.';
  return describeError(error);
}

export type GreenRoomProps = {
  openMic: (deviceId?: string) => Promise<MicCheckLike>;
  listMicrophones: () => Promise<MicrophoneInfo[]>;
  /** Joins the stage muted with this track. */
  onJoin: (track: MediaStreamTrack) => Promise<void>;
  /** Gives the seat back (goes back to listening). */
  onLeave: () => Promise<void> | void;
  /** How often the meter reads the microphone. */
  meterIntervalMs?: number;
};

export function MicMeter({ level, label }: { level: MicLevel; label: string }) {
  const rms = Math.max(METER_FLOOR_DBFS, Math.round(level.rmsDbfs));
  const width = ((rms - METER_FLOOR_DBFS) / -METER_FLOOR_DBFS) * 100;
  return (
    <div
      className="meter mic-meter"
      role="meter"
      aria-label={label}
      aria-valuemin={METER_FLOOR_DBFS}
      aria-valuemax={0}
      aria-valuenow={rms}
      aria-valuetext={level.rmsDbfs <= METER_FLOOR_DBFS ? 'silent' : `${rms} dBFS`}
      data-rms-dbfs={level.rmsDbfs.toFixed(1)}
    >
      <div className={level.peakDbfs > -6 ? 'meter-fill hot' : 'meter-fill'} style={{ width: `${width}%` }} />
    </div>
  );
}

export function GreenRoom({ openMic, listMicrophones, onJoin, onLeave, meterIntervalMs = 100 }: GreenRoomProps) {
  const [mic, setMic] = useState<MicCheckLike | null>(null);
  const [opening, setOpening] = useState(false);
  const [joining, setJoining] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [level, setLevel] = useState<MicLevel>(SILENT);
  const [heard, setHeard] = useState(false);
  const [echo, setEcho] = useState(false);
  const [microphones, setMicrophones] = useState<MicrophoneInfo[]>([]);
  const micRef = useRef<MicCheckLike | null>(null);
  const headingId = useId();
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => heading.current?.focus(), []);
  // Whatever microphone is still open when the green room goes away is closed.
  useEffect(() => () => micRef.current?.close(), []);

  useEffect(() => {
    if (!mic) return;
    const timer = setInterval(() => {
      const next = mic.level();
      setLevel(next);
      if (next.rmsDbfs > HEARD_DBFS) setHeard(true);
    }, meterIntervalMs);
    return () => clearInterval(timer);
  }, [mic, meterIntervalMs]);

  const open = async (deviceId?: string) => {
    setOpening(true);
    setError(null);
    try {
      const next = await openMic(deviceId);
      micRef.current?.close();
      micRef.current = next;
      setMic(next);
      setHeard(false);
      setEcho(false);
      setLevel(SILENT);
      setMicrophones(await listMicrophones().catch(() => []));
    } catch (e) {
      setError(e);
    } finally {
      setOpening(false);
    }
  };

  const leave = () => {
    setError(null);
    Promise.resolve()
      .then(onLeave)
      .catch(setError);
  };

  const toggleEcho = () => {
    mic?.setEcho(!echo);
    setEcho(!echo);
  };

  const join = async () => {
    if (!mic) return;
    setJoining(true);
    setError(null);
    const track = mic.handOver();
    micRef.current = null;
    try {
      await onJoin(track);
    } catch (e) {
      track.stop();
      setMic(null);
      setError(e);
      setJoining(false);
    }
  };

  const hints = mic ? headsetHints(mic.label) : null;

  return (
    <section className="green-room" aria-labelledby={headingId}>
      <h2 id={headingId} ref={heading} tabIndex={-1}>
        Green room
      </h2>
      <p>You are invited to speak. Check your microphone, then join the stage. You join muted and unmute when you are ready.</p>
      {hints?.bluetoothCallQuality ? (
        <p className="warning" role="note">
          This Bluetooth headset’s microphone puts it in call quality: everything sounds thinner while it is on. A wired headset or a separate microphone sounds better.
        </p>
      ) : hints?.headset ? (
        <p className="tip" role="note">
          Headset found: your microphone will not pick up the Space.
        </p>
      ) : (
        <p className="tip" role="note">
          Use headphones: without them your microphone can pick up the Space and others hear an echo.
        </p>
      )}
      {mic ? (
        <>
          {microphones.length > 1 ? (
            <label className="field">
              <span>Microphone</span>
              <select aria-label="Microphone" value={mic.deviceId} disabled={opening || joining} onChange={(e) => void open(e.target.value)}>
                {microphones.map((m) => (
                  <option key={m.deviceId} value={m.deviceId}>
                    {m.label}
                  </option>
                ))}
              </select>
            </label>
          ) : (
            <p className="muted">Microphone: {mic.label || 'default'}</p>
          )}
          <MicMeter level={level} label="Your microphone level" />
          <p className="heard" aria-live="polite" data-heard={heard}>
            {heard ? 'We can hear you.' : 'Say something: the bar should move.'}
          </p>
          <button type="button" aria-pressed={echo} onClick={toggleEcho} disabled={joining}>
            {echo ? 'Stop hearing myself' : 'Hear myself (echo test)'}
          </button>
          <div className="form-actions">
            <button type="button" className="primary" onClick={() => void join()} disabled={joining || opening}>
              {joining ? 'Joining…' : 'Join stage'}
            </button>
            <button type="button" onClick={leave} disabled={joining}>
              Not now
            </button>
          </div>
        </>
      ) : (
        <div className="form-actions">
          <button type="button" className="primary" onClick={() => void open()} disabled={opening}>
            {opening ? 'Opening the microphone…' : 'Check my microphone'}
          </button>
          <button type="button" onClick={leave}>
            Not now
          </button>
        </div>
      )}
      {error ? (
        <p className="error" role="alert">
          {micProblem(error)}
        </p>
      ) : null}
    </section>
  );
}
