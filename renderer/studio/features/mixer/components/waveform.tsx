import { useEffect, useRef } from 'react';
import type { TrackPlayer } from '../../../../lib/mix/track-player.ts';
import { onDisplayTick } from '../lib/display-clock.ts';
import { clock } from '../lib/use-track-player.ts';

/** The waveform: min/max of the peaks per pixel column, and the centre line. */
function drawPeaks(g: CanvasRenderingContext2D, peaks: Float32Array | null, w: number, h: number, ratio: number): void {
  g.clearRect(0, 0, w, h);
  g.fillStyle = 'rgba(255,255,255,0.06)';
  g.fillRect(0, h / 2, w, Math.max(1, ratio));
  if (!peaks) return;
  const buckets = peaks.length / 2;
  g.fillStyle = '#7c8cff';
  for (let x = 0; x < w; x++) {
    const b0 = Math.floor((x * buckets) / w);
    const b1 = Math.max(b0 + 1, Math.floor(((x + 1) * buckets) / w));
    let min = 0;
    let max = 0;
    for (let b = b0; b < b1; b++) {
      min = Math.min(min, peaks[2 * b]!);
      max = Math.max(max, peaks[2 * b + 1]!);
    }
    const top = ((1 - max) / 2) * h;
    const bottom = ((1 - min) / 2) * h;
    g.fillRect(x, top, 1, Math.max(1, bottom - top));
  }
}

/**
 * The loaded track's waveform (min/max per column) with the play head, drawn on
 * a canvas when the track or the size changes; the play head moves on the shared display loop when it moves a pixel. Click or drag to seek; as a slider, arrow
 * keys move 5 s and Home/End go to the ends.
 */
export function Waveform({ player, label }: { player: TrackPlayer; label: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const head = useRef<HTMLDivElement>(null);
  const track = player.track;

  useEffect(() => {
    const element = canvas.current;
    if (!element) return;
    let drawnFor: unknown = null;
    let drawnWidth = 0;
    // The canvas's size in device pixels, from a ResizeObserver: drawing never asks for layout.
    let size = { w: 0, h: 0, ratio: 1 };
    let headPixel = Number.NaN;
    const draw = () => {
      const now = player.track;
      const { w, h, ratio } = size;
      if (w > 0 && (drawnFor !== now || drawnWidth !== w)) {
        drawnFor = now;
        drawnWidth = w;
        headPixel = Number.NaN;
        element.width = w;
        element.height = h;
        const g = element.getContext('2d');
        if (g) drawPeaks(g, now?.peaks ?? null, w, h, ratio);
      }
      const headElement = head.current;
      if (headElement) {
        const fraction = now && now.duration > 0 ? Math.max(0, Math.min(1, player.position / now.duration)) : 0;
        // Moved only when it moves a pixel, by a transform: no layout, no repaint of the waveform.
        const pixel = Math.round(fraction * Math.max(1, w));
        if (pixel !== headPixel) {
          headPixel = pixel;
          headElement.style.transform = `translateX(${(fraction * 100).toFixed(3)}%)`;
        }
        const slider = headElement.parentElement;
        const valueNow = player.position.toFixed(1);
        if (slider && slider.getAttribute('aria-valuenow') !== valueNow) {
          slider.setAttribute('aria-valuenow', valueNow);
          slider.setAttribute('aria-valuetext', `${clock(player.position)} of ${clock(now?.duration ?? 0)}`);
        }
      }
    };
    let observer: ResizeObserver | null = null;
    if (typeof ResizeObserver === 'function') {
      observer = new ResizeObserver(([entry]) => {
        if (!entry) return;
        const ratio = window.devicePixelRatio || 1;
        const box = entry.devicePixelContentBoxSize?.[0];
        size = box
          ? { w: Math.max(1, Math.round(box.inlineSize)), h: Math.max(1, Math.round(box.blockSize)), ratio }
          : { w: Math.max(1, Math.round(entry.contentRect.width * ratio)), h: Math.max(1, Math.round(entry.contentRect.height * ratio)), ratio };
        draw();
      });
      observer.observe(element);
    }
    const stop = onDisplayTick(draw);
    return () => {
      stop();
      observer?.disconnect();
    };
  }, [player]);

  const seekTo = (event: React.PointerEvent<HTMLDivElement>) => {
    if (!track) return;
    const box = event.currentTarget.getBoundingClientRect();
    player.seek(((event.clientX - box.left) / Math.max(1, box.width)) * track.duration);
  };

  return (
    <div
      className={`waveform${track ? '' : ' empty'}`}
      role="slider"
      tabIndex={track ? 0 : -1}
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={Number((track?.duration ?? 0).toFixed(1))}
      aria-disabled={!track}
      onPointerDown={(e) => {
        e.currentTarget.setPointerCapture(e.pointerId);
        seekTo(e);
      }}
      onPointerMove={(e) => {
        if (e.currentTarget.hasPointerCapture(e.pointerId)) seekTo(e);
      }}
      onKeyDown={(e) => {
        if (!track) return;
        const step = { ArrowLeft: -5, ArrowRight: 5, ArrowDown: -5, ArrowUp: 5 }[e.key];
        if (step !== undefined) player.seek(player.position + step);
        else if (e.key === 'Home') player.seek(0);
        else if (e.key === 'End') player.seek(track.duration);
        else return;
        e.preventDefault();
      }}
    >
      <canvas ref={canvas} aria-hidden="true" />
      <div ref={head} className="play-head-track" aria-hidden="true">
        <div className="play-head" />
      </div>
      {track ? null : <span className="waveform-hint">No track loaded</span>}
    </div>
  );
}
