import type { ChannelState } from '../../../../lib/mix/mixer-state.ts';
import { FADER_MAX_DB, FADER_MIN_DB } from '../../../../lib/mix/mixer-state.ts';
import type { WorkletMeter } from '../../../../lib/program-mix.ts';
import { LevelMeterBar } from './level-meter-bar.tsx';

const showGain = (db: number) => (db <= FADER_MIN_DB ? '−∞ dB' : `${db > 0 ? '+' : db < 0 ? '−' : ''}${Math.abs(db).toFixed(1)} dB`);

/**
 * One channel: its meters, a fader in dB (arrow keys step 0.5 dB, Page keys 6 dB,
 * Home/End to the ends), and mute ("M") and solo ("S") toggles.
 */
export function ChannelStrip(props: {
  name: string;
  meterLabel: string;
  meter: WorkletMeter;
  state: ChannelState;
  onChange: (patch: Partial<ChannelState>) => void;
  /** Keyboard shortcuts for mute and solo (handled by the mixer panel), shown on the buttons. */
  keys?: { mute: string; solo: string };
  children?: React.ReactNode;
}) {
  const { name, meterLabel, meter, state, onChange, keys } = props;
  const id = `strip-${name.toLowerCase().replace(/\W+/g, '-')}`;
  return (
    <section className={`strip${state.muted ? ' muted' : ''}${state.solo ? ' soloed' : ''}`} aria-labelledby={`${id}-name`}>
      <header className="strip-head">
        <h3 id={`${id}-name`}>{name}</h3>
        {keys ? (
          <span className="strip-keys" aria-hidden="true">
            <kbd>{keys.mute}</kbd> mute · <kbd>{keys.solo.replace('Shift+', '⇧')}</kbd> solo
          </span>
        ) : null}
        <output htmlFor={`${id}-fader`} className="strip-gain">
          {showGain(state.gainDb)}
        </output>
      </header>
      {props.children}
      <LevelMeterBar meter={meter} label={meterLabel} />
      <div className="strip-controls">
        <input
          id={`${id}-fader`}
          className="fader"
          type="range"
          aria-label={`${name} gain`}
          aria-valuetext={showGain(state.gainDb)}
          min={FADER_MIN_DB}
          max={FADER_MAX_DB}
          step={0.5}
          value={state.gainDb}
          onChange={(e) => onChange({ gainDb: Number(e.target.value) })}
          onKeyDown={(e) => {
            // Page keys move a musical 6 dB; the browser's default is a tenth of the range.
            if (e.key !== 'PageUp' && e.key !== 'PageDown') return;
            e.preventDefault();
            const next = state.gainDb + (e.key === 'PageUp' ? 6 : -6);
            onChange({ gainDb: Math.max(FADER_MIN_DB, Math.min(FADER_MAX_DB, next)) });
          }}
        />
        <button type="button" className="toggle mute" aria-label={`Silence ${name}`} aria-keyshortcuts={keys?.mute} title={`Mute ${name} in the program${keys ? ` (${keys.mute})` : ''}`} aria-pressed={state.muted} onClick={() => onChange({ muted: !state.muted })}>
          M
        </button>
        <button type="button" className="toggle solo" aria-label={`Solo ${name}`} aria-keyshortcuts={keys?.solo} title={`Solo ${name}: only soloed channels are heard${keys ? ` (${keys.solo})` : ''}`} aria-pressed={state.solo} onClick={() => onChange({ solo: !state.solo })}>
          S
        </button>
      </div>
    </section>
  );
}
