import { useEffect, useState } from 'react';
import type { MixerSettings } from '../../../../../electron/contract.ts';
import { PRESETS, type PresetId } from '../../../../lib/mix/presets.ts';
import type { ProgramMix } from '../../../../lib/program-mix.ts';
import { isTextTick, onDisplayTick } from '../lib/display-clock.ts';
import { ParamSlider } from './param-slider.tsx';

type Processing = MixerSettings['processing'];

/** The mic's gate and compressor: a preset to start from, each value adjustable (which makes it 'custom'), and what they do now. */
export function MicProcessing({ mix, processing, onChange }: { mix: ProgramMix; processing: Processing; onChange: (processing: Processing) => void }) {
  const { gate, compressor } = processing;
  const edit = (patch: Partial<Omit<Processing, 'preset'>>) => onChange({ ...processing, ...patch, preset: 'custom' });
  const dynamics = useDynamics(mix, gate.enabled || compressor.enabled);
  return (
    <details className="processing">
      <summary>
        <span>Processing</span>
        <span className="processing-summary">
          {processing.preset === 'custom' ? 'Custom' : PRESETS[processing.preset].label}
          {gate.enabled ? <span className={`badge${dynamics.gateOpen ? ' on' : ''}`} role="status" aria-label="Gate">{dynamics.gateOpen ? 'gate open' : 'gate closed'}</span> : null}
          {compressor.enabled ? (
            <span className="badge" role="status" aria-label="Compressor" data-reduction-db={dynamics.reductionDb.toFixed(1)}>
              −{dynamics.reductionDb.toFixed(1)} dB
            </span>
          ) : null}
        </span>
      </summary>
      <label className="field compact">
        <span>Preset</span>
        <select
          aria-label="Processing preset"
          value={processing.preset}
          onChange={(e) => {
            const id = e.target.value as PresetId | 'custom';
            if (id !== 'custom') onChange(PRESETS[id].processing);
          }}
        >
          {(Object.keys(PRESETS) as PresetId[]).map((id) => (
            <option key={id} value={id} title={PRESETS[id].description}>
              {PRESETS[id].label}
            </option>
          ))}
          <option value="custom" disabled>
            Custom
          </option>
        </select>
      </label>
      <fieldset>
        <legend>
          <label>
            <input type="checkbox" checked={gate.enabled} onChange={(e) => edit({ gate: { ...gate, enabled: e.target.checked } })} /> Noise gate
          </label>
        </legend>
        <ParamSlider label="Gate threshold" value={gate.thresholdDb} min={-90} max={0} step={1} unit="dB" disabled={!gate.enabled} onChange={(thresholdDb) => edit({ gate: { ...gate, thresholdDb } })} />
      </fieldset>
      <fieldset>
        <legend>
          <label>
            <input type="checkbox" checked={compressor.enabled} onChange={(e) => edit({ compressor: { ...compressor, enabled: e.target.checked } })} /> Compressor
          </label>
        </legend>
        <ParamSlider label="Threshold" value={compressor.thresholdDb} min={-60} max={0} step={1} unit="dB" disabled={!compressor.enabled} onChange={(thresholdDb) => edit({ compressor: { ...compressor, thresholdDb } })} />
        <ParamSlider label="Ratio" value={compressor.ratio} min={1} max={20} step={0.5} unit=": 1" disabled={!compressor.enabled} onChange={(ratio) => edit({ compressor: { ...compressor, ratio } })} />
        <ParamSlider label="Attack" value={compressor.attackMs} min={0.5} max={100} step={0.5} unit="ms" disabled={!compressor.enabled} onChange={(attackMs) => edit({ compressor: { ...compressor, attackMs } })} />
        <ParamSlider label="Release" value={compressor.releaseMs} min={10} max={1000} step={10} unit="ms" disabled={!compressor.enabled} onChange={(releaseMs) => edit({ compressor: { ...compressor, releaseMs } })} />
        <ParamSlider label="Make-up gain" value={compressor.makeupDb} min={0} max={24} step={0.5} unit="dB" disabled={!compressor.enabled} onChange={(makeupDb) => edit({ compressor: { ...compressor, makeupDb } })} />
      </fieldset>
    </details>
  );
}

/** The mic processor's gate state and gain reduction, re-read on the display loop's 10 Hz text ticks while either is on (and only re-rendered when they change). */
function useDynamics(mix: ProgramMix, active: boolean) {
  const [dynamics, setDynamics] = useState(mix.micDynamics);
  useEffect(() => {
    if (!active) return;
    return onDisplayTick((_, tick) => {
      if (!isTextTick(tick)) return;
      const next = mix.micDynamics;
      setDynamics((was) => (was.gateOpen === next.gateOpen && was.reductionDb.toFixed(1) === next.reductionDb.toFixed(1) ? was : next));
    });
  }, [mix, active]);
  return dynamics;
}
