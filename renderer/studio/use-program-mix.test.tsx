// @vitest-environment happy-dom
import { renderHook } from '@testing-library/react';
import { StrictMode, type ReactNode } from 'react';
import { describe, expect, it } from 'vitest';
import { useProgramMix } from './use-program-mix.ts';

class FakeMix {
  closed = false;
  close(): void {
    this.closed = true;
  }
}

describe('useProgramMix', () => {
  it('closes the mix when the app unmounts, and leaves none open under StrictMode', () => {
    const made: FakeMix[] = [];
    const create = () => {
      const mix = new FakeMix();
      made.push(mix);
      return mix;
    };
    const { result, unmount } = renderHook(() => useProgramMix(create), {
      wrapper: ({ children }: { children: ReactNode }) => <StrictMode>{children}</StrictMode>,
    });
    const live = result.current!;
    expect(live).toBeInstanceOf(FakeMix);
    expect(made.filter((m) => !m.closed)).toEqual([live]);
    unmount();
    expect(made.every((m) => m.closed)).toBe(true);
  });
});
