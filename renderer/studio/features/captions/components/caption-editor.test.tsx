// @vitest-environment happy-dom
/**
 * The caption editor against a fake live session: lines per speaker as they form, a countdown
 * while the hold-back runs, a word clicked opens its line with the word selected and saves the
 * correction, forming lines cannot be edited, pause/resume, hold-back, vocabulary, rules, and the
 * transcript export through the IPC contract.
 */
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CaptionDraft, CaptionStatus } from '../../../../../server/signalling/protocol.ts';
import { installFakeStudio } from '../../../../test/fake-studio.ts';
import { CaptionDesk, type CaptionLink } from '../lib/caption-desk.ts';
import { CaptionEditor } from './caption-editor.tsx';

type Event = { kind: 'draft'; segment: CaptionDraft } | { kind: 'status'; status: CaptionStatus };

class FakeLink implements CaptionLink {
  readonly calls: Array<[string, unknown]> = [];
  readonly #listeners = new Set<(event: Event) => void>();
  vocabulary: Array<{ word: string; phones: string }> = [];
  async captionRequest(method: string, data: unknown): Promise<never> {
    this.calls.push([method, data]);
    const answers: Record<string, unknown> = {
      captionSettings: { status: STATUS, vocabulary: this.vocabulary, replacements: [], recent: [] },
      editCaption: { revision: 0, released: false },
      addCaptionWord: { word: (data as { word: string }).word, phones: (data as { phones?: string }).phones ?? 'Z AO R B L AE K S' },
      addCaptionReplacement: data,
    };
    return (answers[method] ?? {}) as never;
  }
  onCaptions(listener: (event: Event) => void): () => void {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }
  send(event: Event): void {
    act(() => this.#listeners.forEach((l) => l(event)));
  }
}

const STATUS: CaptionStatus = { available: true, pausedBy: null, holdBackMs: 2000, problem: null };
const draft = (patch: Partial<CaptionDraft>): CaptionDraft => ({
  id: 1,
  speaker: { peerId: 'host', name: 'Ada' },
  status: 'final',
  raw: 'hello the a',
  edited: null,
  words: [],
  revision: 0,
  startMs: 0,
  endMs: 1000,
  releaseInMs: 2000,
  released: false,
  ...patch,
});

let link: FakeLink;
beforeEach(() => {
  vi.useFakeTimers({ shouldAdvanceTime: true });
  link = new FakeLink();
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

function mount() {
  const desk = new CaptionDesk(link);
  render(<CaptionEditor desk={desk} spaceId="space-1" />);
  return desk;
}

describe('caption editor', () => {
  it('shows each speaker’s lines as they form, with a countdown until they go out, then sent', async () => {
    mount();
    await waitFor(() => expect(screen.getByText('Live')).toBeTruthy());
    link.send({ kind: 'draft', segment: draft({ status: 'partial', raw: 'hello', releaseInMs: null }) });
    link.send({ kind: 'draft', segment: draft({ id: 2, speaker: { peerId: 'bo', name: 'Bo' }, raw: 'hi all' }) });
    expect(screen.getByRole('group', { name: 'Captions of Ada' }).textContent).toContain('forming…');
    const bo = screen.getByRole('group', { name: 'Captions of Bo' });
    expect(bo.textContent).toContain('goes out in 2.0 s');
    await act(() => vi.advanceTimersByTimeAsync(1500));
    expect(bo.textContent).toMatch(/goes out in 0\.[45] s/);
    link.send({ kind: 'draft', segment: draft({ id: 2, speaker: { peerId: 'bo', name: 'Bo' }, raw: 'hi all', released: true, releaseInMs: null }) });
    expect(bo.textContent).toContain('sent');
  });

  it('opens a line at the clicked word and saves the correction; a forming line cannot be opened', async () => {
    mount();
    link.send({ kind: 'draft', segment: draft({ id: 1 }) });
    link.send({ kind: 'draft', segment: draft({ id: 2, status: 'partial', raw: 'still going', releaseInMs: null }) });
    expect((screen.getByRole('button', { name: 'still' }) as HTMLButtonElement).disabled).toBe(true);
    fireEvent.click(screen.getByRole('button', { name: 'the' }));
    const input = screen.getByLabelText('Corrected caption') as HTMLInputElement;
    expect([input.value, input.selectionStart, input.selectionEnd]).toEqual(['hello the a', 6, 9]);
    fireEvent.change(input, { target: { value: 'Hello, Theia!' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(link.calls).toContainEqual(['editCaption', { segmentId: 1, text: 'Hello, Theia!' }]));
    await waitFor(() => expect(screen.queryByLabelText('Corrected caption')).toBeNull());
    link.send({ kind: 'draft', segment: draft({ id: 1, edited: 'Hello, Theia!' }) });
    expect(screen.getByText('(heard: hello the a)', { exact: false })).toBeTruthy();
  });

  it('pauses and resumes, sets the hold-back, adds words and rules, removes a rule', async () => {
    mount();
    await waitFor(() => expect(screen.getByText('Live')).toBeTruthy());
    fireEvent.click(screen.getByRole('button', { name: 'Pause captions' }));
    await waitFor(() => expect(link.calls).toContainEqual(['setCaptionsPaused', { paused: true }]));
    link.send({ kind: 'status', status: { ...STATUS, pausedBy: 'host' } });
    fireEvent.click(screen.getByRole('button', { name: 'Resume captions' }));
    await waitFor(() => expect(link.calls).toContainEqual(['setCaptionsPaused', { paused: false }]));
    link.send({ kind: 'status', status: { ...STATUS, pausedBy: 'premiere' } });
    expect(screen.getByText('Paused: music')).toBeTruthy();

    const holdBack = screen.getByLabelText('Hold-back (s)');
    fireEvent.change(holdBack, { target: { value: '4.5' } });
    fireEvent.blur(holdBack);
    await waitFor(() => expect(link.calls).toContainEqual(['setCaptionHoldBack', { holdBackMs: 4500 }]));

    fireEvent.change(screen.getByLabelText('Word'), { target: { value: 'Zorblax' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add word' }));
    await waitFor(() => expect(screen.getByText('Z AO R B L AE K S')).toBeTruthy());
    expect(link.calls).toContainEqual(['addCaptionWord', { word: 'Zorblax' }]);

    fireEvent.change(screen.getByLabelText('Heard'), { target: { value: 'space craft' } });
    fireEvent.change(screen.getByLabelText('Written'), { target: { value: 'Spacecraft' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add rule' }));
    await waitFor(() => expect(screen.getByText('space craft → Spacecraft', { exact: false })).toBeTruthy());
    fireEvent.click(screen.getByRole('button', { name: 'Remove the rule for space craft' }));
    await waitFor(() => expect(link.calls).toContainEqual(['removeCaptionReplacement', { heard: 'space craft' }]));
    await waitFor(() => expect(screen.queryByText('space craft → Spacecraft', { exact: false })).toBeNull());
  });

  it('says why captions are off', async () => {
    mount();
    link.send({ kind: 'status', status: { ...STATUS, available: false, problem: 'The caption engine "nope" could not start.' } });
    expect(screen.getByRole('alert').textContent).toContain('The caption engine "nope" could not start.');
    expect(screen.getByText('Off')).toBeTruthy();
  });

  it('exports the transcript through the studio’s IPC contract', async () => {
    const studio = installFakeStudio({ 'studio:captions:transcript': () => ({ ok: true, data: { name: 'spacecraft-space-1.vtt', text: 'WEBVTT\n' } }) });
    const created = vi.fn(() => 'blob:x');
    URL.createObjectURL = created;
    URL.revokeObjectURL = vi.fn();
    mount();
    fireEvent.click(screen.getByRole('button', { name: 'Export WebVTT' }));
    await waitFor(() => expect(created).toHaveBeenCalled());
    expect(studio.calls).toContainEqual({ channel: 'studio:captions:transcript', input: { spaceId: 'space-1', format: 'vtt' } });
  });
});
