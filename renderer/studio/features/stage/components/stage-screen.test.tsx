// @vitest-environment happy-dom
/** The studio's live stage: the people on it with what my role may do to them, the requests, reactions. */
import { act, cleanup, fireEvent, render, renderHook, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { stagePerson } from '../../../../test/fake-signalling.ts';
import { ReactionsFeed, useReactionLog, type ReactionCount } from './reactions-feed.tsx';
import { RequestQueue } from './request-queue.tsx';
import { StageRoster, mayModerate, type RosterActions } from './stage-roster.tsx';

afterEach(cleanup);

const member = stagePerson;

const STAGE = [
  member({ peerId: 'sp', displayName: 'Sam', handle: 'sam', speaking: true }),
  member({ peerId: 'h', displayName: 'Hedy', role: 'host' }),
  member({ peerId: 'co', displayName: 'Cora', role: 'cohost', muted: true }),
];

function actions(overrides: Partial<RosterActions> = {}) {
  return { mute: vi.fn(async () => undefined), moveToListener: vi.fn(async () => undefined), remove: vi.fn(async () => undefined), ...overrides } satisfies RosterActions;
}

const rowOf = (name: string) => screen.getAllByRole('listitem').find((li) => li.querySelector('.member-name')?.textContent?.startsWith(name))!;

describe('StageRoster', () => {
  it('follows the role table: the host acts on co-hosts and speakers, a co-host on speakers, nobody on their equals or on themselves', () => {
    expect([mayModerate('host', 'cohost'), mayModerate('host', 'speaker'), mayModerate('host', 'host')]).toEqual([true, true, false]);
    expect([mayModerate('cohost', 'speaker'), mayModerate('cohost', 'cohost'), mayModerate('cohost', 'host')]).toEqual([true, false, false]);
    expect([mayModerate('speaker', 'speaker')]).toEqual([false]);
  });

  it('shows the host first, who is speaking, who is muted, and the host’s buttons on the others', () => {
    render(<StageRoster members={STAGE} me="host" myPeerId="h" actions={actions()} />);
    const rows = screen.getAllByRole('listitem');
    expect(rows.map((r) => r.querySelector('.member-name')?.textContent)).toEqual(['Hedy (you)', 'Cora', 'Sam']);
    expect(rows.map((r) => r.querySelector('.member-status')?.textContent)).toEqual(['live', 'muted', 'speaking']);
    expect(rows.map((r) => r.getAttribute('data-speaking'))).toEqual(['false', 'false', 'true']);
    expect(within(rowOf('Hedy')).queryAllByRole('button')).toHaveLength(0);
    expect(within(rowOf('Cora')).getAllByRole('button').map((b) => b.textContent)).toEqual(['Mute', 'To listeners', 'Remove']);
    expect(within(rowOf('Sam')).getAllByRole('button').map((b) => b.textContent)).toEqual(['Mute', 'To listeners', 'Remove']);
  });

  it('gives a co-host buttons on speakers only', () => {
    render(<StageRoster members={STAGE} me="cohost" myPeerId="co" actions={actions()} />);
    expect(within(rowOf('Hedy')).queryAllByRole('button')).toHaveLength(0);
    expect(within(rowOf('Cora')).queryAllByRole('button')).toHaveLength(0);
    expect(within(rowOf('Sam')).getAllByRole('button')).toHaveLength(3);
  });

  it('mutes a speaker, and lets them unmute again once a host mute is on', async () => {
    const a = actions();
    const { rerender } = render(<StageRoster members={STAGE} me="host" myPeerId="h" actions={a} />);
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Mute Sam' })));
    expect(a.mute).toHaveBeenLastCalledWith('sp', true);
    rerender(<StageRoster members={[member({ peerId: 'sp', displayName: 'Sam', muted: true, mutedByHost: true })]} me="host" myPeerId="h" actions={a} />);
    expect(rowOf('Sam').querySelector('.member-status')?.textContent).toBe('muted by a host');
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Let Sam unmute' })));
    expect(a.mute).toHaveBeenLastCalledWith('sp', false);
  });

  it('moves a speaker to the listeners', async () => {
    const a = actions();
    render(<StageRoster members={STAGE} me="host" myPeerId="h" actions={a} />);
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Move Sam to listeners' })));
    expect(a.moveToListener).toHaveBeenCalledWith('sp');
  });

  it('asks before removing, and removes only on "Yes, remove"', async () => {
    const a = actions();
    render(<StageRoster members={STAGE} me="host" myPeerId="h" actions={a} />);
    fireEvent.click(screen.getByRole('button', { name: 'Remove Sam' }));
    const question = screen.getByRole('group', { name: 'Remove Sam?' });
    expect(question.textContent).toContain('They cannot come back to this Space.');
    expect(document.activeElement).toBe(within(question).getByRole('button', { name: 'Yes, remove' }));
    fireEvent.click(within(question).getByRole('button', { name: 'Keep' }));
    expect(a.remove).not.toHaveBeenCalled();
    fireEvent.click(screen.getByRole('button', { name: 'Remove Sam' }));
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Yes, remove' })));
    expect(a.remove).toHaveBeenCalledWith('sp');
  });

  it('says in a sentence why the server refused', async () => {
    const a = actions({ mute: async () => Promise.reject({ code: 'PERMISSION_DENIED', message: 'Only the host can do that to a co-host.' }) });
    render(<StageRoster members={STAGE} me="host" myPeerId="h" actions={a} />);
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Mute Cora' })));
    expect(within(rowOf('Cora')).getByRole('alert').textContent).toBe('Only the host can do that to a co-host.');
  });
});

describe('RequestQueue', () => {
  const now = 1_000_000;
  const requests = [
    { peerId: 'b', displayName: 'Bob', handle: 'bob', at: now - 150_000 },
    { peerId: 'a', displayName: 'Ada', handle: 'ada', at: now - 5_000 },
  ];

  it('lists the requests oldest first with how long they have waited, and answers them', async () => {
    const answer = vi.fn(async () => undefined);
    render(<RequestQueue requests={requests} answer={answer} now={now} />);
    expect(screen.getByRole('heading', { name: /Asking to speak/ }).textContent).toBe('Asking to speak 2');
    expect(screen.getAllByRole('listitem').map((li) => li.textContent)).toEqual([expect.stringContaining('Bob@bob · 3 minutes ago'), expect.stringContaining('Ada@ada · just now')]);
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Accept Ada' })));
    expect(answer).toHaveBeenLastCalledWith('a', true);
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Decline Bob' })));
    expect(answer).toHaveBeenLastCalledWith('b', false);
  });

  it('says when nobody is asking, and why an accept was refused', async () => {
    const { rerender } = render(<RequestQueue requests={[]} answer={vi.fn()} now={now} />);
    expect(screen.getByText('Nobody is asking to speak.')).toBeTruthy();
    rerender(<RequestQueue requests={requests} answer={async () => Promise.reject({ code: 'LIMIT_EXCEEDED', message: 'The stage is full (10 speakers).' })} now={now} />);
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Accept Ada' })));
    expect(screen.getByRole('alert').textContent).toBe('The stage is full (10 speakers).');
  });
});

describe('reactions in the studio', () => {
  it('turns each batch into bursts that fade, and keeps the totals', async () => {
    const first: ReactionCount[] = [{ emoji: '👏', count: 3 }];
    const { result, rerender } = renderHook(({ latest }) => useReactionLog(latest, 40), { initialProps: { latest: first as ReactionCount[] | null } });
    expect(result.current.bursts.map((b) => [b.emoji, b.count])).toEqual([['👏', 3]]);
    rerender({ latest: [{ emoji: '🔥', count: 1 }, { emoji: '👏', count: 2 }] });
    expect(result.current.totals).toEqual([{ emoji: '👏', count: 5 }, { emoji: '🔥', count: 1 }]);
    expect(result.current.bursts).toHaveLength(3);
    await vi.waitFor(() => expect(result.current.bursts).toHaveLength(0));
    expect(result.current.totals).toHaveLength(2);
  });

  it('shows the bursts and says them to screen readers', () => {
    render(<ReactionsFeed bursts={[{ emoji: '❤️', count: 4, id: 1, at: 0 }]} totals={[{ emoji: '❤️', count: 4 }]} />);
    expect(screen.getByText('Reactions: 4 love')).toBeTruthy();
    expect(screen.getByRole('list', { name: 'Reactions so far' }).textContent).toBe('❤️ 4');
  });
});
