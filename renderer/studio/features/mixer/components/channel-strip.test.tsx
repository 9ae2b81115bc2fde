// @vitest-environment happy-dom
/** The channel strip is usable by keyboard and screen reader: named controls, dB steps, pressed states, meter values. */
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { useState } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChannelState } from '../../../../lib/mix/mixer-state.ts';
import type { WorkletMeter } from '../../../../lib/program-mix.ts';
import { ChannelStrip } from './channel-strip.tsx';

afterEach(cleanup);

const meter = { read: () => ({ peakDbfs: -6.02, rmsDbfs: -9.03 }) } as unknown as WorkletMeter;

function Harness({ onState }: { onState: (state: ChannelState) => void }) {
  const [state, setState] = useState<ChannelState>({ gainDb: 0, muted: false, solo: false });
  return (
    <ChannelStrip
      name="Microphone"
      meterLabel="Microphone level"
      meter={meter}
      state={state}
      onChange={(patch) => {
        const next = { ...state, ...patch };
        onState(next);
        setState(next);
      }}
    />
  );
}

describe('ChannelStrip', () => {
  it('moves the fader 6 dB with Page keys, within −60 … +12 dB, and says the gain in dB', () => {
    const states: ChannelState[] = [];
    render(<Harness onState={(s) => states.push(s)} />);
    const fader = screen.getByRole('slider', { name: 'Microphone gain' });
    expect(fader.getAttribute('aria-valuetext')).toBe('0.0 dB');
    fireEvent.keyDown(fader, { key: 'PageDown' });
    expect(fader.getAttribute('aria-valuetext')).toBe('−6.0 dB');
    fireEvent.keyDown(fader, { key: 'PageUp' });
    fireEvent.keyDown(fader, { key: 'PageUp' });
    fireEvent.keyDown(fader, { key: 'PageUp' });
    expect(fader.getAttribute('aria-valuetext')).toBe('+12.0 dB');
    expect(states.at(-1)?.gainDb).toBe(12);
    fireEvent.change(fader, { target: { value: '-60' } });
    expect(fader.getAttribute('aria-valuetext')).toBe('−∞ dB');
  });

  it('toggles mute and solo as pressed buttons', () => {
    const states: ChannelState[] = [];
    render(<Harness onState={(s) => states.push(s)} />);
    const mute = screen.getByRole('button', { name: 'Silence Microphone' });
    const solo = screen.getByRole('button', { name: 'Solo Microphone' });
    expect(mute.getAttribute('aria-pressed')).toBe('false');
    fireEvent.click(mute);
    fireEvent.click(solo);
    expect(mute.getAttribute('aria-pressed')).toBe('true');
    expect(solo.getAttribute('aria-pressed')).toBe('true');
    expect(states.at(-1)).toEqual({ gainDb: 0, muted: true, solo: true });
  });

  it('shows the meter as a named meter with peak and RMS in dBFS', () => {
    render(<Harness onState={() => undefined} />);
    const level = screen.getByRole('meter', { name: 'Microphone level' });
    expect(level.getAttribute('data-peak-dbfs')).toBe('-6.0');
    expect(level.getAttribute('data-rms-dbfs')).toBe('-9.0');
    expect(level.getAttribute('aria-valuetext')).toBe('RMS −9.0 dBFS, peak −6.0 dBFS');
  });
});
