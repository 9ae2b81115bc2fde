/** One named parameter as a slider with its value and unit beside it (e.g. "Threshold −20 dB"). */
export function ParamSlider(props: { label: string; value: number; min: number; max: number; step: number; unit: string; onChange: (value: number) => void; disabled?: boolean }) {
  const shown = `${props.value < 0 ? '−' : ''}${Math.abs(props.value).toFixed(props.step < 1 ? 1 : 0)} ${props.unit}`;
  return (
    <label className={`param${props.disabled ? ' off' : ''}`}>
      <span className="param-name">{props.label}</span>
      <input
        type="range"
        aria-label={props.label}
        aria-valuetext={shown}
        min={props.min}
        max={props.max}
        step={props.step}
        value={props.value}
        disabled={props.disabled}
        onChange={(e) => props.onChange(Number(e.target.value))}
      />
      <output className="param-value">{shown}</output>
    </label>
  );
}
