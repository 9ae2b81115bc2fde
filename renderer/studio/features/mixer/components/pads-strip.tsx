import { useState } from 'react';
import type { MixerSettings } from '../../../../../electron/contract.ts';
import { AUDIO_FILES, SingleFileInput } from '../../../../lib/file-input.tsx';
import { FADER_MAX_DB, FADER_MIN_DB, type ChannelState } from '../../../../lib/mix/mixer-state.ts';
import type { ProgramMix } from '../../../../lib/program-mix.ts';
import { usePads } from '../lib/use-pads.ts';
import { ChannelStrip } from './channel-strip.tsx';
import { ParamSlider } from './param-slider.tsx';

type Pads = MixerSettings['pads'];

/** The sound pads' strip: nine pads on keys 1–9 (click or press), and an editor for each pad's clip, name and gain. */
export function PadsStrip(props: { mix: ProgramMix; pads: Pads; loaded: boolean; state: ChannelState; onChange: (patch: Partial<ChannelState>) => void; onPadsChange: (pads: Pads) => void }) {
  const { mix, pads } = props;
  const { errors, setPad, loadClip, clearClip } = usePads(mix, pads, props.loaded, props.onPadsChange);
  const [editing, setEditing] = useState(false);
  return (
    <ChannelStrip name="Pads" meterLabel="Pads level" meter={mix.channels.pads.meter} state={props.state} onChange={props.onChange} keys={{ mute: 'P', solo: 'Shift+P' }}>
      <div className="pads-head">
        <span className="strip-note">Keys 1–9 play the pads</span>
        <button type="button" className="edit-pads" aria-pressed={editing} onClick={() => setEditing(!editing)}>
          {editing ? 'Done' : 'Edit pads'}
        </button>
      </div>
      {editing ? (
        <ol className="pad-editor" aria-label="Pad editor">
          {pads.map((pad, i) => (
            <li key={i}>
              <kbd>{i + 1}</kbd>
              <input aria-label={`Pad ${i + 1} name`} value={pad.name} maxLength={40} onChange={(e) => setPad(i, { name: e.target.value })} />
              <label className="button-like small">
                <SingleFileInput accept={AUDIO_FILES} label={`Load a clip onto pad ${i + 1}`} onFile={(file) => void loadClip(i, file)} />
                {pad.clipId ? 'Replace…' : 'Load…'}
              </label>
              <button type="button" className="small" aria-label={`Clear pad ${i + 1}`} disabled={!pad.clipId} onClick={() => clearClip(i)}>
                ✕
              </button>
              <ParamSlider label={`Pad ${i + 1} gain`} value={pad.gainDb} min={FADER_MIN_DB} max={FADER_MAX_DB} step={0.5} unit="dB" onChange={(gainDb) => setPad(i, { gainDb })} />
              {errors[i] ? (
                <p className="error" role="alert">
                  {errors[i]}
                </p>
              ) : null}
            </li>
          ))}
        </ol>
      ) : (
        <div className="pad-grid">
          {pads.map((pad, i) => {
            const loaded = mix.pads.clipOf(i) !== null;
            const duration = mix.pads.durationOf(i);
            return (
              <button
                key={i}
                type="button"
                className={`pad${loaded ? '' : ' empty'}${mix.pads.isPlaying(i) ? ' playing' : ''}`}
                aria-label={`Pad ${i + 1}: ${pad.name || 'unnamed'}${loaded ? '' : ' (empty)'}`}
                aria-keyshortcuts={String(i + 1)}
                disabled={!loaded}
                title={errors[i] || pad.clipName || 'Empty: edit the pads to load a clip'}
                onClick={() => mix.pads.trigger(i)}
              >
                <kbd aria-hidden="true">{i + 1}</kbd>
                <span className="pad-name">{pad.name || `Pad ${i + 1}`}</span>
                <span className="pad-meta" aria-hidden="true">
                  {loaded && duration !== null ? `${duration.toFixed(1)} s${pad.gainDb !== 0 ? ` · ${pad.gainDb > 0 ? '+' : '−'}${Math.abs(pad.gainDb)} dB` : ''}` : errors[i] ? 'missing' : 'empty'}
                </span>
              </button>
            );
          })}
        </div>
      )}
    </ChannelStrip>
  );
}
