import { useCallback, useEffect, useRef, useState } from 'react';
import type { MixerSettings } from '../../../../../electron/contract.ts';
import { FADER_MAX_DB, FADER_MIN_DB } from '../../../../lib/mix/mixer-state.ts';
import type { ProgramMix } from '../../../../lib/program-mix.ts';
import { ParamSlider } from './param-slider.tsx';

type Monitor = MixerSettings['monitor'];
type Output = { deviceId: string; label: string };
/** An audio element that can choose its output device (not yet in every DOM typing). */
type SinkAudio = HTMLAudioElement & { setSinkId?: (id: string) => Promise<void> };

/**
 * Monitoring: the host hears the program (or the mic alone) on a chosen output,
 * at its own level. The monitor has its own stream, played by an audio element
 * whose output is set with setSinkId: it never goes back into the program.
 */
export function MonitorStrip({ mix, monitor, onChange }: { mix: ProgramMix; monitor: Monitor; onChange: (monitor: Monitor) => void }) {
  const audio = useRef<SinkAudio>(null);
  const [outputs, setOutputs] = useState<Output[]>([]);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => mix.setMonitor(monitor), [mix, monitor]);

  const list = useCallback(async () => {
    const all = await navigator.mediaDevices.enumerateDevices();
    setOutputs(all.filter((d) => d.kind === 'audiooutput').map((d, i) => ({ deviceId: d.deviceId, label: d.label || `Output ${i + 1}` })));
  }, []);
  useEffect(() => {
    const onDevices = () => void list().catch(() => undefined);
    onDevices();
    navigator.mediaDevices.addEventListener('devicechange', onDevices);
    return () => navigator.mediaDevices.removeEventListener('devicechange', onDevices);
  }, [list]);

  useEffect(() => {
    const element = audio.current;
    if (!element) return;
    if (monitor.source === 'off') {
      element.pause();
      element.srcObject = null;
      return;
    }
    if (element.srcObject !== mix.monitorStream) element.srcObject = mix.monitorStream;
    element.play().catch((e: unknown) => setError(`The monitor cannot play: ${e instanceof Error ? e.message : String(e)}`));
  }, [mix, monitor.source]);

  useEffect(() => {
    const element = audio.current;
    if (!element?.setSinkId) return;
    // A device that has gone (unplugged headphones) falls back to the default output.
    const known = monitor.deviceId !== null && outputs.some((o) => o.deviceId === monitor.deviceId);
    element
      .setSinkId(known ? monitor.deviceId! : '')
      .then(() => setError(null))
      .catch((e: unknown) => setError(`That output cannot be used: ${e instanceof Error ? e.message : String(e)}`));
  }, [monitor.deviceId, outputs]);

  return (
    <section className="strip monitor" aria-labelledby="strip-monitor-name">
      <header className="strip-head">
        <h3 id="strip-monitor-name">Monitor</h3>
        <span className="strip-note">heard only by you</span>
      </header>
      <div className="mode" role="radiogroup" aria-label="Monitor source">
        {(['off', 'program', 'mic'] as const).map((source) => (
          <label key={source} className={monitor.source === source ? 'on' : ''}>
            <input type="radio" name="monitor-source" value={source} checked={monitor.source === source} onChange={() => onChange({ ...monitor, source })} />
            {{ off: 'Off', program: 'Program', mic: 'Mic only' }[source]}
          </label>
        ))}
      </div>
      <label className="field compact">
        <span>Output</span>
        <select aria-label="Monitor output" value={monitor.deviceId ?? ''} onChange={(e) => onChange({ ...monitor, deviceId: e.target.value || null })}>
          <option value="">System default</option>
          {outputs
            .filter((o) => o.deviceId !== 'default' && o.deviceId !== '')
            .map((o) => (
              <option key={o.deviceId} value={o.deviceId}>
                {o.label}
              </option>
            ))}
        </select>
      </label>
      <ParamSlider label="Monitor level" value={monitor.gainDb} min={FADER_MIN_DB} max={FADER_MAX_DB} step={0.5} unit="dB" disabled={monitor.source === 'off'} onChange={(gainDb) => onChange({ ...monitor, gainDb })} />
      <audio ref={audio} data-monitor="" hidden />
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
    </section>
  );
}
