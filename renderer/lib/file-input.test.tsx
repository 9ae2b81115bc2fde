// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { createRef } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { AUDIO_FILES, SingleFileInput } from './file-input.tsx';

afterEach(cleanup);

describe('the page’s own file picker', () => {
  it('hands over the one file chosen, then forgets it so the same file can be chosen again', () => {
    const chosen: File[] = [];
    render(<SingleFileInput accept={AUDIO_FILES} label="Load a track" onFile={(file) => chosen.push(file)} />);
    const input = screen.getByLabelText('Load a track') as HTMLInputElement;
    expect([input.type, input.accept, input.hidden]).toEqual(['file', AUDIO_FILES, false]);
    const file = new File([new Uint8Array([1, 2])], 'a.wav', { type: 'audio/wav' });
    fireEvent.change(input, { target: { files: [file] } });
    expect(chosen).toEqual([file]);
    expect(input.value).toBe('');
    fireEvent.change(input, { target: { files: [] } });
    expect(chosen).toHaveLength(1);
  });

  it('hidden, is reached through its ref (a button clicks it)', () => {
    const ref = createRef<HTMLInputElement>();
    render(<SingleFileInput ref={ref} hidden accept="image/*" label="Artwork" onFile={() => undefined} />);
    expect(ref.current).toBe(screen.getByLabelText('Artwork'));
    expect(ref.current!.hidden).toBe(true);
  });
});
