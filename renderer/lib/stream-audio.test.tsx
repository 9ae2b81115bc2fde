// @vitest-environment happy-dom
import { cleanup, render } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { StreamAudio } from './stream-audio.tsx';

afterEach(cleanup);

describe('a stream played by its own element', () => {
  it('plays the stream at the given volume, and a new stream or volume goes to the same element', () => {
    const first = new MediaStream();
    const second = new MediaStream();
    const { container, rerender } = render(<StreamAudio stream={first} volume={0.5} className="monitor" />);
    const audio = container.querySelector('audio.monitor') as HTMLAudioElement;
    expect(audio.srcObject).toBe(first);
    expect(audio.volume).toBe(0.5);

    rerender(<StreamAudio stream={second} volume={0.25} className="monitor" />);
    expect(container.querySelector('audio')).toBe(audio);
    expect(audio.srcObject).toBe(second);
    expect(audio.volume).toBe(0.25);
  });

  it('plays at full volume unless told otherwise', () => {
    const { container } = render(<StreamAudio stream={new MediaStream()} />);
    const audio = container.querySelector('audio')!;
    expect(audio.volume).toBe(1);
    expect(audio.getAttribute('class')).toBeNull();
  });
});
