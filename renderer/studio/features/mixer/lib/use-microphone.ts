/**
 * The chosen microphone: lists input devices, opens the chosen one in the
 * mixer's mode (voice: echo cancellation, noise suppression, auto gain on;
 * music: all three off, so the mix gets the microphone as it is; mono for now)
 * and feeds it into the program mix. Re-lists when devices are plugged in or out.
 */
import { useCallback, useEffect, useState } from 'react';
import type { ProgramMix } from '../../../../lib/program-mix.ts';

export type Microphone = { deviceId: string; label: string };

export function useMicrophone(mix: ProgramMix, deviceId: string | null, mode: 'voice' | 'music', enabled = true) {
  const [devices, setDevices] = useState<Microphone[]>([]);
  const [stream, setStream] = useState<MediaStream | null>(null);
  const [error, setError] = useState<unknown>(null);

  const list = useCallback(async () => {
    const all = await navigator.mediaDevices.enumerateDevices();
    setDevices(all.filter((d) => d.kind === 'audioinput').map((d, i) => ({ deviceId: d.deviceId, label: d.label || `Microphone ${i + 1}` })));
  }, []);

  useEffect(() => {
    if (!enabled) return;
    let cancelled = false;
    let opened: MediaStream | null = null;
    const processing = mode === 'voice';
    navigator.mediaDevices
      .getUserMedia({
        audio: {
          ...(deviceId ? { deviceId: { exact: deviceId } } : {}),
          echoCancellation: processing,
          noiseSuppression: processing,
          autoGainControl: processing,
          channelCount: 1,
        },
      })
      .then(async (s) => {
        if (cancelled) return s.getTracks().forEach((t) => t.stop());
        opened = s;
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
  }, [mix, deviceId, mode, enabled, list]);

  useEffect(() => {
    // A device list that cannot be read keeps the last one; the picker stays usable.
    const onChange = () => void list().catch(() => undefined);
    navigator.mediaDevices.addEventListener('devicechange', onChange);
    return () => navigator.mediaDevices.removeEventListener('devicechange', onChange);
  }, [list]);

  const settings = stream?.getAudioTracks()[0]?.getSettings();
  const active = settings?.deviceId ?? null;
  /** What the browser does to the mic now (as the track reports it, not as asked). */
  const processing = { echoCancellation: settings?.echoCancellation === true, noiseSuppression: settings?.noiseSuppression === true, autoGainControl: settings?.autoGainControl === true };
  return { devices, active, processing, ready: stream !== null, error };
}
