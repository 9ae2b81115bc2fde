import { useEffect } from 'react';
import { describeError } from '../../../../lib/error-messages.ts';
import type { ProgramMix } from '../../../../lib/program-mix.ts';
import { useSettings, useUpdateSettings } from '../api/settings.ts';
import { useMicrophone } from '../lib/use-microphone.ts';
import { LevelMeterBar } from './level-meter-bar.tsx';

export function MicrophonePanel({ mix, onReadyChange }: { mix: ProgramMix; onReadyChange: (ready: boolean) => void }) {
  const settings = useSettings();
  const update = useUpdateSettings();
  const chosen = settings.data?.microphoneId ?? null;
  const mic = useMicrophone(mix, settings.isSuccess ? chosen : null);
  useEffect(() => onReadyChange(mic.ready), [mic.ready, onReadyChange]);
  return (
    <section className="panel" aria-labelledby="mic-heading">
      <h2 id="mic-heading">Microphone</h2>
      <label className="field">
        <span>Input</span>
        <select
          aria-label="Microphone"
          value={mic.active ?? ''}
          onChange={(e) => update.mutate({ microphoneId: e.target.value })}
          disabled={mic.devices.length === 0}
        >
          {mic.devices.map((d) => (
            <option key={d.deviceId} value={d.deviceId}>
              {d.label}
            </option>
          ))}
        </select>
      </label>
      <LevelMeterBar meter={mix.micMeter} label="Microphone level" />
      {mic.error ? <p className="error" role="alert">{describeError(mic.error)}</p> : null}
      {update.error ? <p className="error" role="alert">{describeError(update.error)}</p> : null}
    </section>
  );
}
