/**
 * The chosen microphone: lists input devices, opens the chosen one in the
 * mixer's mode (voice: echo cancellation, noise suppression, auto gain on,
 * mono; music: all three off and two channels where the device has them, so
 * the mix gets the microphone as it is, a stereo one in stereo) and feeds it
 * into the program mix.
 *
 * Hot-plug, without a restart: when the open microphone goes away (its track
 * ends: unplugged) the system's default input takes over; a chosen device that
 * is missing when the mic opens falls back the same way; and when the chosen
 * device appears again, it is opened again. The device list follows every
 * plug and unplug.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ProgramMix } from '../../../../lib/program-mix.ts';

export type Microphone = { deviceId: string; label: string };

/** getUserMedia's answers for a device that is not there. */
const MISSING_DEVICE = new Set(['OverconstrainedError', 'NotFoundError', 'NotReadableError']);

export function useMicrophone(mix: Pick<ProgramMix, 'setMicrophone'>, deviceId: string | null, mode: 'voice' | 'music', enabled = true) {
  const [devices, setDevices] = useState<Microphone[]>([]);
  const [stream, setStream] = useState<MediaStream | null>(null);
  const [error, setError] = useState<unknown>(null);
  /** Bumped to open the microphone again (its device went away, or the chosen one came back). */
  const [generation, setGeneration] = useState(0);
  /** True while the default input stands in for a chosen device that is not there. */
  const standIn = useRef(false);

  const list = useCallback(async () => {
    const all = await navigator.mediaDevices.enumerateDevices();
    const inputs = all.filter((d) => d.kind === 'audioinput').map((d, i) => ({ deviceId: d.deviceId, label: d.label || `Microphone ${i + 1}` }));
    setDevices(inputs);
    return inputs;
  }, []);

  useEffect(() => {
    if (!enabled) return;
    let cancelled = false;
    let opened: MediaStream | null = null;
    const processing = mode === 'voice';
    const constraints = (id: string | null): MediaStreamConstraints => ({
      audio: {
        ...(id ? { deviceId: { exact: id } } : {}),
        echoCancellation: processing,
        noiseSuppression: processing,
        autoGainControl: processing,
        // Music: a stereo instrument or interface stays stereo (a mono device still gives one channel). Voice: mono.
        channelCount: processing ? 1 : { ideal: 2 },
      },
    });
    const open = async (): Promise<MediaStream> => {
      try {
        const s = await navigator.mediaDevices.getUserMedia(constraints(deviceId));
        standIn.current = false;
        return s;
      } catch (e) {
        if (!deviceId || !(e instanceof Error) || !MISSING_DEVICE.has(e.name)) throw e;
        // The chosen device is not there: the default input stands in until it comes back.
        const s = await navigator.mediaDevices.getUserMedia(constraints(null));
        standIn.current = true;
        return s;
      }
    };
    open()
      .then(async (s) => {
        if (cancelled) return s.getTracks().forEach((t) => t.stop());
        opened = s;
        // Unplugged while open: open again (the chosen device if it is still there, else the default).
        s.getAudioTracks()[0]?.addEventListener('ended', () => {
          if (!cancelled) setGeneration((g) => g + 1);
        });
        mix.setMicrophone(s);
        setStream(s);
        setError(null);
        await list();
      })
      .catch((e: unknown) => !cancelled && setError(e));
    return () => {
      cancelled = true;
      opened?.getTracks().forEach((t) => t.stop());
    };
  }, [mix, deviceId, mode, enabled, list, generation]);

  useEffect(() => {
    // A device list that cannot be read keeps the last one; the picker stays usable.
    const onChange = () =>
      void list()
        .then((inputs) => {
          // The chosen device is back: take it again.
          if (standIn.current && deviceId && inputs.some((d) => d.deviceId === deviceId)) setGeneration((g) => g + 1);
        })
        .catch(() => undefined);
    navigator.mediaDevices.addEventListener('devicechange', onChange);
    return () => navigator.mediaDevices.removeEventListener('devicechange', onChange);
  }, [list, deviceId]);

  const settings = stream?.getAudioTracks()[0]?.getSettings();
  const active = settings?.deviceId ?? null;
  /** What the browser does to the mic now (as the track reports it, not as asked). */
  const processing = { echoCancellation: settings?.echoCancellation === true, noiseSuppression: settings?.noiseSuppression === true, autoGainControl: settings?.autoGainControl === true };
  return { devices, active, processing, standIn: stream !== null && standIn.current, ready: stream !== null, error };
}
