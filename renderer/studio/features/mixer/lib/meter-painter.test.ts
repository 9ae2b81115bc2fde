// @vitest-environment happy-dom
/** The meter painter writes the values tests and screen readers read, holds the peak, and repaints only when a pixel changes. */
import { describe, expect, it, vi } from 'vitest';
import { MeterPainter, PEAK_HOLD_MS } from './meter-painter.ts';

function setup() {
  const meter = document.createElement('div');
  const peakText = document.createElement('b');
  const rmsText = document.createElement('b');
  const overMark = document.createElement('span');
  const fills: Array<[number, number, number, number]> = [];
  const context = { fillStyle: '', createLinearGradient: () => ({ addColorStop: () => undefined }), fillRect: (...r: [number, number, number, number]) => fills.push(r) };
  const canvas = document.createElement('canvas');
  vi.spyOn(canvas, 'getContext').mockReturnValue(context as unknown as CanvasRenderingContext2D);
  const painter = new MeterPainter({ meter, canvas, peakText, rmsText, overMark });
  painter.resize(600, 14);
  return { painter, meter, peakText, rmsText, overMark, fills, context };
}

describe('MeterPainter', () => {
  it('writes peak and RMS in dBFS to the data attributes at every update, and the readouts and aria values', () => {
    const { painter, meter, peakText, rmsText } = setup();
    painter.update({ peakDbfs: -6.02, rmsDbfs: -9.03 }, 0, true);
    expect(meter.getAttribute('data-peak-dbfs')).toBe('-6.0');
    expect(meter.getAttribute('data-rms-dbfs')).toBe('-9.0');
    expect(meter.getAttribute('aria-valuenow')).toBe('-9');
    expect(meter.getAttribute('aria-valuetext')).toBe('RMS −9.0 dBFS, peak −6.0 dBFS');
    expect(peakText.textContent).toBe('−6.0');
    expect(rmsText.textContent).toBe('−9.0');
    painter.update({ peakDbfs: -20, rmsDbfs: -100 }, 33);
    expect(meter.getAttribute('data-rms-dbfs')).toBe('-100.0');
  });

  it('writes the text only on the ticks it is told to (the clock’s 10 Hz text ticks), with the latest levels; the data attributes every tick', () => {
    const { painter, meter, rmsText } = setup();
    painter.update({ peakDbfs: -10, rmsDbfs: -20 }, 0, true);
    painter.update({ peakDbfs: -10, rmsDbfs: -21 }, 33);
    painter.update({ peakDbfs: -10, rmsDbfs: -22 }, 67);
    expect(rmsText.textContent).toBe('−20.0');
    expect(meter.getAttribute('aria-valuenow')).toBe('-20');
    expect(meter.getAttribute('data-rms-dbfs')).toBe('-22.0');
    const textNode = rmsText.firstChild;
    painter.update({ peakDbfs: -10, rmsDbfs: -23 }, 100, true);
    expect(rmsText.textContent).toBe('−23.0');
    expect(meter.getAttribute('aria-valuenow')).toBe('-23');
    // The same text node, its text changed (not a node taken out and another put in).
    expect(rmsText.firstChild).toBe(textNode);
    expect(rmsText.childNodes).toHaveLength(1);
  });

  it('marks a peak over full scale and says −∞ below the floor', () => {
    const { painter, overMark, peakText, rmsText } = setup();
    painter.update({ peakDbfs: 0.4, rmsDbfs: -100 }, 0, true);
    expect(overMark.classList.contains('over')).toBe(true);
    expect(peakText.textContent).toBe('+0.4');
    expect(rmsText.textContent).toBe('−∞');
    painter.update({ peakDbfs: -3, rmsDbfs: -100 }, 100, true);
    expect(overMark.classList.contains('over')).toBe(false);
  });

  it('holds the peak line 1.5 s, then follows the signal down', () => {
    const { painter, fills, context } = setup();
    const peakLineX = () => {
      // The peak line is the last rectangle drawn, in the line's colour.
      return context.fillStyle === '#ff4d6d' || context.fillStyle === '#e9ecf2' ? fills.at(-1)![0] : null;
    };
    painter.update({ peakDbfs: -12, rmsDbfs: -20 }, 0);
    const held = peakLineX();
    painter.update({ peakDbfs: -40, rmsDbfs: -45 }, PEAK_HOLD_MS - 100);
    expect(peakLineX()).toBe(held);
    painter.update({ peakDbfs: -40, rmsDbfs: -45 }, PEAK_HOLD_MS + 100);
    expect(peakLineX()).toBeLessThan(held!);
  });

  it('repaints only when the bar or the peak line moves a pixel', () => {
    const { painter, fills } = setup();
    painter.update({ peakDbfs: -12, rmsDbfs: -20 }, 0);
    const drawn = fills.length;
    expect(drawn).toBeGreaterThan(0);
    painter.update({ peakDbfs: -12.01, rmsDbfs: -20.01 }, 33);
    expect(fills.length).toBe(drawn);
    painter.update({ peakDbfs: -12, rmsDbfs: -18 }, 67);
    expect(fills.length).toBeGreaterThan(drawn);
  });
});
