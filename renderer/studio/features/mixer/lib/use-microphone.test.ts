// @vitest-environment happy-dom
/** Hot-plug: the microphone follows devices that come and go, without a restart (fake media devices: what the browser would report). */
import { act, cleanup, renderHook, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { useMicrophone } from './use-microphone.ts';

afterEach(cleanup);

class FakeTrack extends EventTarget {
  stopped = false;
  readonly deviceId: string;
  constructor(deviceId: string) {
    super();
    this.deviceId = deviceId;
  }
  getSettings() {
    return { deviceId: this.deviceId, echoCancellation: false, noiseSuppression: false, autoGainControl: false };
  }
  stop() {
    this.stopped = true;
  }
  /** The device was unplugged. */
  unplug() {
    this.dispatchEvent(new Event('ended'));
  }
}

function fakeDevices(initial: string[]) {
  const present = new Set(initial);
  const opened: FakeTrack[] = [];
  const events = new EventTarget();
  const devices = {
    async enumerateDevices() {
      return [...present].map((deviceId) => ({ kind: 'audioinput', deviceId, label: deviceId }));
    },
    async getUserMedia(constraints: { audio: { deviceId?: { exact: string } } }) {
      const wanted = constraints.audio.deviceId?.exact;
      if (wanted && !present.has(wanted)) throw Object.assign(new Error('no such device'), { name: 'OverconstrainedError' });
      const track = new FakeTrack(wanted ?? [...present][0] ?? 'none');
      opened.push(track);
      return { getAudioTracks: () => [track], getTracks: () => [track] };
    },
    addEventListener: (type: string, listener: EventListener) => events.addEventListener(type, listener),
    removeEventListener: (type: string, listener: EventListener) => events.removeEventListener(type, listener),
  };
  Object.defineProperty(navigator, 'mediaDevices', { configurable: true, value: devices });
  return {
    opened,
    plug(id: string) {
      present.add(id);
      events.dispatchEvent(new Event('devicechange'));
    },
    unplug(id: string) {
      present.delete(id);
      for (const track of opened) if (track.deviceId === id && !track.stopped) track.unplug();
      events.dispatchEvent(new Event('devicechange'));
    },
  };
}

function fakeMix() {
  const fed: string[] = [];
  return { fed, setMicrophone: (s: MediaStream | null) => void fed.push((s?.getAudioTracks()[0] as unknown as FakeTrack | undefined)?.deviceId ?? 'none') };
}

describe('useMicrophone', () => {
  it('falls back to the default input when the open microphone is unplugged, and takes it back when it returns', async () => {
    const devices = fakeDevices(['built-in', 'usb-mic']);
    const mix = fakeMix();
    const { result } = renderHook(() => useMicrophone(mix, 'usb-mic', 'music'));
    await waitFor(() => expect(result.current.active).toBe('usb-mic'));
    expect(result.current.devices.map((d) => d.deviceId)).toEqual(['built-in', 'usb-mic']);

    act(() => devices.unplug('usb-mic'));
    await waitFor(() => expect(result.current.active).toBe('built-in'));
    expect(result.current.standIn).toBe(true);
    expect(result.current.devices.map((d) => d.deviceId)).toEqual(['built-in']);

    act(() => devices.plug('usb-mic'));
    await waitFor(() => expect(result.current.active).toBe('usb-mic'));
    expect(result.current.standIn).toBe(false);
    expect(mix.fed).toEqual(['usb-mic', 'built-in', 'usb-mic']);
    // Every stream but the one in use was stopped.
    expect(devices.opened.filter((t) => !t.stopped).map((t) => t.deviceId)).toEqual(['usb-mic']);
  });

  it('opens the default input when the chosen device is missing at start', async () => {
    fakeDevices(['built-in']);
    const mix = fakeMix();
    const { result } = renderHook(() => useMicrophone(mix, 'gone-mic', 'voice'));
    await waitFor(() => expect(result.current.active).toBe('built-in'));
    expect(result.current.standIn).toBe(true);
    expect(result.current.error).toBeNull();
  });
});
