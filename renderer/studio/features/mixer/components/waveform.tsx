import { useEffect, useRef } from 'react';
import type { TrackPlayer } from '../../../../lib/mix/track-player.ts';
import { clock } from '../lib/use-track-player.ts';

/**
 * The loaded track's waveform (min/max per column) with the play head, drawn on
 * a canvas once per animation frame. Click or drag to seek; as a slider, arrow
 * keys move 5 s and Home/End go to the ends.
 */
export function Waveform({ player, label }: { player: TrackPlayer; label: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const head = useRef<HTMLDivElement>(null);
  const track = player.track;

  useEffect(() => {
    const element = canvas.current;
    if (!element) return;
    let frame = 0;
    let drawnFor: unknown = null;
    let width = 0;
    const draw = () => {
      const now = player.track;
      const ratio = window.devicePixelRatio || 1;
      const w = Math.max(1, Math.round(element.clientWidth * ratio));
      const h = Math.max(1, Math.round(element.clientHeight * ratio));
      if (drawnFor !== now || width !== w) {
        drawnFor = now;
        width = w;
        element.width = w;
        element.height = h;
        const g = element.getContext('2d');
        if (g) {
          g.clearRect(0, 0, w, h);
          g.fillStyle = 'rgba(255,255,255,0.06)';
          g.fillRect(0, h / 2, w, Math.max(1, ratio));
          if (now) {
            const buckets = now.peaks.length / 2;
            g.fillStyle = '#7c8cff';
            for (let x = 0; x < w; x++) {
              const b0 = Math.floor((x * buckets) / w);
              const b1 = Math.max(b0 + 1, Math.floor(((x + 1) * buckets) / w));
              let min = 0;
              let max = 0;
              for (let b = b0; b < b1; b++) {
                min = Math.min(min, now.peaks[2 * b]!);
                max = Math.max(max, now.peaks[2 * b + 1]!);
              }
              const top = ((1 - max) / 2) * h;
              const bottom = ((1 - min) / 2) * h;
              g.fillRect(x, top, 1, Math.max(1, bottom - top));
            }
          }
        }
      }
      if (head.current) {
        const fraction = now && now.duration > 0 ? player.position / now.duration : 0;
        // A full-width track moved by a transform: no layout, no repaint of the waveform.
        head.current.style.transform = `translateX(${(fraction * 100).toFixed(3)}%)`;
        const slider = head.current.parentElement;
        const valueNow = player.position.toFixed(1);
        if (slider && slider.getAttribute('aria-valuenow') !== valueNow) {
          slider.setAttribute('aria-valuenow', valueNow);
          slider.setAttribute('aria-valuetext', `${clock(player.position)} of ${clock(now?.duration ?? 0)}`);
        }
      }
      frame = requestAnimationFrame(draw);
    };
    frame = requestAnimationFrame(draw);
    return () => cancelAnimationFrame(frame);
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
