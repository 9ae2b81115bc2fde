import { useEffect } from 'react';
import { ErrorAlert } from '../../../../lib/error-alert.tsx';
import type { ProgramMix } from '../../../../lib/program-mix.ts';
import { TEST_TONE_DBFS, TEST_TONE_HZ } from '../../../../lib/mix/mixer-state.ts';
import { useSettings, useUpdateSettings } from '../api/settings.ts';
import { useMicrophone } from '../lib/use-microphone.ts';
import { useMixer } from '../lib/use-mixer.ts';
import { useMixerShortcuts } from '../lib/use-mixer-shortcuts.ts';
import { ChannelStrip } from './channel-strip.tsx';
import { DuckingControls } from './ducking-controls.tsx';
import { MicProcessing } from './mic-processing.tsx';
import { MonitorStrip } from './monitor-strip.tsx';
import { PadsStrip } from './pads-strip.tsx';
import { MasterStrip } from './master-strip.tsx';
import { TrackStrip } from './track-strip.tsx';
import './mixer.css';

/** The studio's mixer: the microphone (with its device picker and mode), the track player, the test tone, and the program. */
/** `modeOverride`: the mode something else holds for now (music while a premiere track plays); the host's own choice comes back after. */
export function MixerPanel({ mix, onReadyChange, modeOverride = null }: { mix: ProgramMix; onReadyChange: (ready: boolean) => void; modeOverride?: 'voice' | 'music' | null }) {
  const settings = useSettings();
  const update = useUpdateSettings();
  const { mixer, loaded, setChannel, setMode, setPart, saveError } = useMixer(mix, modeOverride);
  useMixerShortcuts({ mix, mixer, setChannel });
  const chosen = settings.data?.microphoneId ?? null;
  // The mic opens once the stored choice and mode are known, so it is opened once, the right way.
  const mic = useMicrophone(mix, loaded ? chosen : null, mixer.mode, loaded);
  useEffect(() => onReadyChange(mic.ready), [mic.ready, onReadyChange]);
  const error = mic.error ?? update.error ?? saveError;
  return (
    <section className="panel mixer" aria-labelledby="mixer-heading">
      <div className="mixer-head">
        <h2 id="mixer-heading">Mixer</h2>
        <div className="mode" role="radiogroup" aria-label="Microphone mode">
          {(['voice', 'music'] as const).map((mode) => (
            <label key={mode} className={mixer.mode === mode ? 'on' : ''} title={
                mode === 'voice'
                  ? 'Voice: echo cancellation, noise suppression and auto gain on; mono, 64 kbps, speech band'
                  : 'Music: microphone processing off; stereo, 256 kbps, full band (20 kHz)'
              }>
              <input type="radio" name="mic-mode" value={mode} checked={mixer.mode === mode} disabled={modeOverride !== null} onChange={() => setMode(mode)} />
              {mode === 'voice' ? 'Voice' : 'Music'}
            </label>
          ))}
        </div>
      </div>
      {modeOverride ? (
        <p className="strip-note mode-held" role="status">
          A premiere track is playing: music mode until it ends.
        </p>
      ) : null}
      <ChannelStrip name="Microphone" meterLabel="Microphone level" meter={mix.channels.mic.meter} state={mixer.channels.mic} onChange={(patch) => setChannel('mic', patch)} keys={{ mute: 'M', solo: 'Shift+M' }}>
        <label className="field compact">
          <span>Input</span>
          <select aria-label="Microphone" value={mic.active ?? ''} onChange={(e) => update.mutate({ microphoneId: e.target.value })} disabled={mic.devices.length === 0}>
            {mic.devices.map((d) => (
              <option key={d.deviceId} value={d.deviceId}>
                {d.label}
              </option>
            ))}
          </select>
        </label>
        {mic.standIn ? (
          <p className="strip-note warn" role="status">
            The chosen microphone is not connected: the default input stands in until it is back.
          </p>
        ) : null}
        <p className="browser-processing" role="status" aria-label="Browser processing" data-echo-cancellation={mic.processing.echoCancellation} data-noise-suppression={mic.processing.noiseSuppression} data-auto-gain={mic.processing.autoGainControl}>
          {(
            [
              ['echoCancellation', 'Echo cancel'],
              ['noiseSuppression', 'Noise suppr.'],
              ['autoGainControl', 'Auto gain'],
            ] as const
          ).map(([key, label]) => (
            <span key={key} className={`badge${mic.processing[key] ? ' on' : ''}`}>
              {label} {mic.processing[key] ? 'on' : 'off'}
            </span>
          ))}
        </p>
        <MicProcessing mix={mix} processing={mixer.processing} onChange={(processing) => setPart('processing', processing)} />
      </ChannelStrip>
      <TrackStrip
        player={mix.trackPlayer}
        meter={mix.channels.track.meter}
        state={mixer.channels.track}
        onChange={(patch) => setChannel('track', patch)}
        loop={mixer.track.loop}
        onLoopChange={(loop) => setPart('track', { loop })}
      />
      <PadsStrip
        mix={mix}
        pads={mixer.pads}
        loaded={loaded}
        state={mixer.channels.pads}
        onChange={(patch) => setChannel('pads', patch)}
        onPadsChange={(pads) => setPart('pads', pads)}
      />
      <DuckingControls mix={mix} ducking={mixer.ducking} onChange={(ducking) => setPart('ducking', ducking)} />
      <ChannelStrip name="Test tone" meterLabel="Test tone level" meter={mix.channels.tone.meter} state={mixer.channels.tone} onChange={(patch) => setChannel('tone', patch)}>
        <p className="strip-note">
          {TEST_TONE_HZ / 1000} kHz sine at {String(TEST_TONE_DBFS).replace('-', '−')} dBFS, for level checks
        </p>
      </ChannelStrip>
      <MonitorStrip mix={mix} monitor={mixer.monitor} onChange={(monitor) => setPart('monitor', monitor)} />
      <MasterStrip mix={mix} mode={mixer.mode} />
      <ErrorAlert error={error} />
    </section>
  );
}
