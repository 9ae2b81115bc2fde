// @vitest-environment happy-dom
/** The mixer's keys: M / T / P mute, with Shift solo, 1–9 play pads, Space plays the track; never while typing. */
import { cleanup, renderHook } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_MIXER } from '../../../../../electron/contract.ts';
import { FakeProgramMix } from '../../../../lib/mix/fake-program-mix.ts';
import type { ChannelId, ChannelState } from '../../../../lib/mix/mixer-state.ts';
import type { ProgramMix } from '../../../../lib/program-mix.ts';
import { isTyping, useMixerShortcuts } from './use-mixer-shortcuts.ts';

afterEach(cleanup);

function setup() {
  const mix = new FakeProgramMix();
  const triggered: number[] = [];
  let playing = false;
  mix.pads.trigger = (index: number) => (triggered.push(index), index === 0);
  Object.assign(mix.trackPlayer, { track: { name: 'song' }, play: () => (playing = true), pause: () => (playing = false) });
  Object.defineProperty(mix.trackPlayer, 'playing', { get: () => playing });
  const changes: Array<[ChannelId, Partial<ChannelState>]> = [];
  renderHook(() => useMixerShortcuts({ mix: mix as unknown as ProgramMix, mixer: DEFAULT_MIXER, setChannel: (id, patch) => changes.push([id, patch]) }));
  const press = (code: string, init: KeyboardEventInit = {}, target: EventTarget = document.body) =>
    target.dispatchEvent(new KeyboardEvent('keydown', { code, bubbles: true, cancelable: true, ...init }));
  return { changes, triggered, press, isPlaying: () => playing };
}

describe('mixer shortcuts', () => {
  it('mutes with M, T and P and solos with Shift', () => {
    const { changes, press } = setup();
    press('KeyM');
    press('KeyT', { shiftKey: true });
    press('KeyP');
    expect(changes).toEqual([
      ['mic', { muted: true }],
      ['track', { solo: true }],
      ['pads', { muted: true }],
    ]);
  });

  it('plays pads on 1–9 (and the number pad) and the track on Space', () => {
    const { triggered, press, isPlaying } = setup();
    press('Digit1');
    press('Numpad9');
    press('Space');
    expect(triggered).toEqual([0, 8]);
    expect(isPlaying()).toBe(true);
    press('Space');
    expect(isPlaying()).toBe(false);
  });

  it('leaves keys alone while typing, with a modifier, or held down', () => {
    const { changes, triggered, press } = setup();
    const field = document.createElement('input');
    document.body.append(field);
    press('KeyM', {}, field);
    press('Digit1', {}, field);
    press('KeyM', { ctrlKey: true });
    press('KeyM', { repeat: true });
    expect(changes).toEqual([]);
    expect(triggered).toEqual([]);
    field.remove();
  });

  it('counts text fields and lists as typing, but not buttons, sliders or checkboxes', () => {
    const make = (tag: string, type?: string) => Object.assign(document.createElement(tag), type ? { type } : {});
    expect(isTyping(make('input'))).toBe(true);
    expect(isTyping(make('textarea'))).toBe(true);
    expect(isTyping(make('select'))).toBe(true);
    expect(isTyping(make('input', 'range'))).toBe(false);
    expect(isTyping(make('input', 'checkbox'))).toBe(false);
    expect(isTyping(make('button'))).toBe(false);
  });
});
