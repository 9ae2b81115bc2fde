import type { Levels } from '../../../../lib/mix/dsp.ts';

export const METER_FLOOR_DBFS = -60;
export const METER_TICKS = [-48, -36, -24, -12, -6, 0];
/** How long the peak line holds its highest value before following the signal down. */
export const PEAK_HOLD_MS = 1500;

/** Where `dbfs` sits on the meter, 0 … 1. */
export const meterFraction = (dbfs: number) => Math.max(0, Math.min(1, (dbfs - METER_FLOOR_DBFS) / -METER_FLOOR_DBFS));
const signed = (n: number, digits: number) => `${n > 0 ? '+' : ''}${n.toFixed(digits)}`.replace('-', '−');
export const showDbfs = (dbfs: number) => (dbfs <= METER_FLOOR_DBFS ? '−∞' : signed(dbfs, 1));
export const showTick = (dbfs: number) => signed(dbfs, 0);

export type MeterElements = {
  /** The role="meter" element: its data-* and aria-value* attributes. */
  meter: HTMLElement;
  canvas: HTMLCanvasElement | null;
  /** Numeric readouts (peak, RMS), if shown. */
  peakText: HTMLElement | null;
  rmsText: HTMLElement | null;
  /** The element that turns red when the peak is over 0 dBFS. */
  overMark: HTMLElement | null;
};

/**
 * Draws one meter straight into the DOM, without React: RMS as a bar (green,
 * amber from −18, red from −6 dBFS) and the held peak as a line on one canvas,
 * redrawn only when a pixel changes; `data-peak-dbfs` / `data-rms-dbfs` at
 * every report; the readouts and aria values when the caller says (the display
 * clock's text ticks, 10 Hz: faster is unreadable and costs layout and paint).
 */
export class MeterPainter {
  readonly #el: MeterElements;
  #hold = { dbfs: -100, at: Number.NEGATIVE_INFINITY };
  #width = 0;
  #height = 0;
  #drawn = '';
  #gradient: CanvasGradient | null = null;
  /** Pending text updates (the latest levels), written on the next text tick. */
  #text: Levels | null = null;

  constructor(elements: MeterElements) {
    this.#el = elements;
  }

  /** The canvas's size in device pixels (from a ResizeObserver, so drawing never asks for layout). */
  resize(width: number, height: number): void {
    const w = Math.max(1, Math.round(width));
    const h = Math.max(1, Math.round(height));
    if (w === this.#width && h === this.#height) return;
    this.#width = w;
    this.#height = h;
    this.#gradient = null;
    this.#drawn = '';
    if (this.#el.canvas) {
      this.#el.canvas.width = w;
      this.#el.canvas.height = h;
    }
  }

  /** Shows `levels` measured at `now` (ms); `writeText` also writes the readouts and aria values (a text tick, or the first paint). */
  update(levels: Levels, now: number, writeText = false): void {
    const hold = this.#hold;
    if (levels.peakDbfs >= hold.dbfs || now - hold.at > PEAK_HOLD_MS) this.#hold = { dbfs: levels.peakDbfs, at: now };
    const meter = this.#el.meter;
    setIfChanged(meter, 'data-peak-dbfs', levels.peakDbfs.toFixed(1));
    setIfChanged(meter, 'data-rms-dbfs', levels.rmsDbfs.toFixed(1));
    this.#text = levels;
    if (writeText) this.#writeText();
    this.#draw(levels);
  }

  #writeText(): void {
    const levels = this.#text;
    if (!levels) return;
    const { meter, peakText, rmsText, overMark } = this.#el;
    setIfChanged(meter, 'aria-valuenow', String(Math.max(METER_FLOOR_DBFS, Math.round(levels.rmsDbfs))));
    setIfChanged(meter, 'aria-valuetext', `RMS ${showDbfs(levels.rmsDbfs)} dBFS, peak ${showDbfs(levels.peakDbfs)} dBFS`);
    if (peakText) setTextIfChanged(peakText, showDbfs(levels.peakDbfs));
    if (rmsText) setTextIfChanged(rmsText, showDbfs(levels.rmsDbfs));
    if (overMark) overMark.classList.toggle('over', levels.peakDbfs > 0);
  }

  #draw(levels: Levels): void {
    const canvas = this.#el.canvas;
    const w = this.#width;
    const h = this.#height;
    if (!canvas || w <= 1) return;
    const rmsX = Math.round(meterFraction(levels.rmsDbfs) * w);
    const peakX = Math.round(meterFraction(this.#hold.dbfs) * w);
    const hot = this.#hold.dbfs > -6;
    const key = `${rmsX}:${peakX}:${hot ? 1 : 0}`;
    if (key === this.#drawn) return;
    const g = canvas.getContext('2d');
    if (!g) return;
    this.#drawn = key;
    if (!this.#gradient) {
      const gradient = g.createLinearGradient(0, 0, w, 0);
      // The colours of the scale: green, amber from −18 dBFS (0.7), red from −6 dBFS (0.9).
      for (const [at, colour] of [[0, '#35c98a'], [0.66, '#b6e35a'], [0.72, '#f5b642'], [0.88, '#f5b642'], [0.92, '#ff4d6d']] as const) gradient.addColorStop(at, colour);
      this.#gradient = gradient;
    }
    g.fillStyle = '#10131a';
    g.fillRect(rmsX, 0, w - rmsX, h);
    g.fillStyle = this.#gradient;
    g.fillRect(0, 0, rmsX, h);
    g.fillStyle = 'rgba(255,255,255,0.12)';
    for (const t of METER_TICKS) g.fillRect(Math.min(w - 1, Math.round(meterFraction(t) * w)), 0, 1, h);
    if (peakX > 0) {
      const lineWidth = Math.max(2, Math.round(h / 7));
      g.fillStyle = hot ? '#ff4d6d' : '#e9ecf2';
      g.fillRect(Math.max(0, peakX - lineWidth), 0, lineWidth, h);
    }
  }
}

function setIfChanged(element: HTMLElement, name: string, value: string): void {
  if (element.getAttribute(name) !== value) element.setAttribute(name, value);
}

/** Writes a readout: into its one text node where it has one (a text change, not a node removed and another inserted for layout to take out and put in). */
function setTextIfChanged(element: HTMLElement, text: string): void {
  const node = element.firstChild;
  if (node && node.nodeType === 3 && !node.nextSibling) {
    const textNode = node as Text;
    if (textNode.data !== text) textNode.data = text;
  } else if (element.textContent !== text) element.textContent = text;
}
