/**
 * One received stream played by its own <audio> element (the listener page
 * plays each producer on stage so, the studio each other person on stage),
 * at `volume` (0..1). Swapping the stream keeps the element.
 */
import { useEffect, useRef } from 'react';

export function StreamAudio({ stream, volume = 1, className }: { stream: MediaStream; volume?: number; className?: string }) {
  const audio = useRef<HTMLAudioElement>(null);
  useEffect(() => {
    if (audio.current) audio.current.volume = volume;
  }, [volume]);
  useEffect(() => {
    const element = audio.current;
    if (element && element.srcObject !== stream) {
      element.srcObject = stream;
      // Autoplay may still be refused; the user pressed play or went live, so it normally is not.
      element.play().catch(() => undefined);
    }
  }, [stream]);
  return <audio ref={audio} className={className} autoPlay />;
}
