// @vitest-environment happy-dom
/** The green room's behaviour, over a scripted microphone (the real one is measured in Chromium: test/e2e/stage.test.ts). */
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { MicCheckLike, MicLevel } from '../lib/mic-check.ts';
import { GreenRoom } from './green-room.tsx';

afterEach(cleanup);

class StoppableTrack {
  stopped = false;
  stop() {
    this.stopped = true;
  }
}

class ScriptedMic implements MicCheckLike {
  levelNow: MicLevel = { rmsDbfs: -100, peakDbfs: -100 };
  echo: boolean[] = [];
  closed = false;
  handedOver = false;
  readonly track = new StoppableTrack() as unknown as MediaStreamTrack & { stopped: boolean };
  readonly deviceId: string;
  readonly label: string;
  constructor(deviceId = 'mic-1', label = 'Built-in Microphone') {
    this.deviceId = deviceId;
    this.label = label;
  }
  level() {
    return this.levelNow;
  }
  setEcho(on: boolean) {
    this.echo.push(on);
  }
  handOver() {
    this.handedOver = true;
    return this.track;
  }
  close() {
    this.closed = true;
  }
}

function renderRoom(options: { mic?: ScriptedMic; openMic?: (deviceId?: string) => Promise<MicCheckLike>; onJoin?: (track: MediaStreamTrack) => Promise<void> } = {}) {
  const mic = options.mic ?? new ScriptedMic();
  const openMic = vi.fn(options.openMic ?? (async () => mic));
  const onJoin = vi.fn(options.onJoin ?? (async () => undefined));
  const onLeave = vi.fn<() => Promise<void> | void>();
  const view = render(
    <GreenRoom
      openMic={openMic}
      listMicrophones={async () => [
        { deviceId: 'mic-1', label: 'Built-in Microphone' },
        { deviceId: 'mic-2', label: 'USB Microphone' },
      ]}
      onJoin={onJoin}
      onLeave={onLeave}
      meterIntervalMs={10}
    />,
  );
  return { mic, openMic, onJoin, onLeave, view };
}

const openTheMic = () => act(async () => fireEvent.click(screen.getByRole('button', { name: 'Check my microphone' })));

describe('GreenRoom', () => {
  it('takes the focus, suggests headphones, and opens the microphone only when asked', () => {
    const { openMic } = renderRoom();
    expect(document.activeElement).toBe(screen.getByRole('heading', { name: 'Green room' }));
    expect(screen.getByRole('note').textContent).toMatch(/Use headphones/);
    expect(openMic).not.toHaveBeenCalled();
    expect(screen.queryByRole('button', { name: 'Join stage' })).toBeNull();
  });

  it('shows the live microphone level and says when it hears the speaker', async () => {
    const { mic } = renderRoom();
    await openTheMic();
    const meter = screen.getByRole('meter', { name: 'Your microphone level' });
    expect(screen.getByText('Say something: the bar should move.')).toBeTruthy();
    mic.levelNow = { rmsDbfs: -18.4, peakDbfs: -9 };
    await vi.waitFor(() => expect(meter.getAttribute('data-rms-dbfs')).toBe('-18.4'));
    expect(meter.getAttribute('aria-valuenow')).toBe('-18');
    expect(screen.getByText('We can hear you.')).toBeTruthy();
    // Silence afterwards does not take back that the microphone works.
    mic.levelNow = { rmsDbfs: -100, peakDbfs: -100 };
    await vi.waitFor(() => expect(meter.getAttribute('aria-valuetext')).toBe('silent'));
    expect(screen.getByText('We can hear you.')).toBeTruthy();
  });

  it('turns the echo test on and off', async () => {
    const { mic } = renderRoom();
    await openTheMic();
    const echo = screen.getByRole('button', { name: 'Hear myself (echo test)' });
    fireEvent.click(echo);
    expect(echo.getAttribute('aria-pressed')).toBe('true');
    fireEvent.click(screen.getByRole('button', { name: 'Stop hearing myself' }));
    expect(mic.echo).toEqual([true, false]);
  });

  it('hands the running track to the stage on "Join stage"', async () => {
    const { mic, onJoin } = renderRoom();
    await openTheMic();
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Join stage' })));
    expect(mic.handedOver).toBe(true);
    expect(onJoin).toHaveBeenCalledWith(mic.track);
    expect(mic.track.stopped).toBe(false);
  });

  it('says why joining failed, stops that track and lets the speaker try again', async () => {
    const { mic } = renderRoom({ onJoin: async () => Promise.reject({ code: 'PERMISSION_DENIED', message: 'You are no longer invited to speak.' }) });
    await openTheMic();
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Join stage' })));
    expect(screen.getByRole('alert').textContent).toBe('You are no longer invited to speak.');
    expect(mic.track.stopped).toBe(true);
    expect(screen.getByRole('button', { name: 'Check my microphone' })).toBeTruthy();
  });

  it('says why leaving failed', async () => {
    const { onLeave } = renderRoom();
    onLeave.mockImplementation(() => Promise.reject({ code: 'UNAVAILABLE', message: 'The connection to the server was lost.' }));
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Not now' })));
    expect(screen.getByRole('alert').textContent).toBe('The connection to the server was lost.');
  });

  it('says in a sentence that the microphone is not allowed', async () => {
    renderRoom({ openMic: async () => Promise.reject(new DOMException('denied', 'NotAllowedError')) });
    await openTheMic();
    expect(screen.getByRole('alert').textContent).toBe('Spacecraft may not use the microphone. Allow it and try again.');
  });

  it('says a busy or vanished microphone in a sentence', async () => {
    renderRoom({ openMic: async () => Promise.reject(new DOMException('busy', 'NotReadableError')) });
    await openTheMic();
    expect(screen.getByRole('alert').textContent).toMatch(/^The microphone is busy/);
    cleanup();
    renderRoom({ openMic: async () => Promise.reject(Object.assign(new Error('gone'), { name: 'OverconstrainedError' })) });
    await openTheMic();
    expect(screen.getByRole('alert').textContent).toBe('That microphone is not there any more. Pick another one.');
  });

  it('reopens with the microphone chosen, closing the one before', async () => {
    const first = new ScriptedMic();
    const second = new ScriptedMic('mic-2', 'USB Microphone');
    const mics = [first, second];
    const { openMic } = renderRoom({ openMic: async () => mics.shift()! });
    await openTheMic();
    await act(async () => fireEvent.change(screen.getByLabelText('Microphone'), { target: { value: 'mic-2' } }));
    expect(openMic).toHaveBeenLastCalledWith('mic-2');
    expect(first.closed).toBe(true);
    expect((screen.getByLabelText('Microphone') as HTMLSelectElement).value).toBe('mic-2');
  });

  it('warns that a Bluetooth hands-free microphone sounds like a phone call, and recognises a headset', async () => {
    renderRoom({ mic: new ScriptedMic('bt', 'Jabra Evolve (Hands-Free)') });
    await openTheMic();
    expect(screen.getByRole('note').textContent).toMatch(/call quality/);
    cleanup();
    renderRoom({ mic: new ScriptedMic('hs', 'USB Headset Microphone') });
    await openTheMic();
    expect(screen.getByRole('note').textContent).toMatch(/Headset found/);
  });

  it('closes the microphone when the speaker leaves, or the green room goes away', async () => {
    const { mic, onLeave, view } = renderRoom();
    await openTheMic();
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Not now' })));
    expect(onLeave).toHaveBeenCalled();
    view.unmount();
    expect(mic.closed).toBe(true);
  });
});
