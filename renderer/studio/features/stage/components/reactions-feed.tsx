/**
 * Reactions from listeners as they arrive: the server sends at most one batch
 * a second (`{ emoji, count }` per emoji); each batch rises briefly as a burst,
 * and the totals since going live stay beside it.
 */
import { useEffect, useState } from 'react';

export type ReactionCount = { emoji: string; count: number };
export type ReactionBurst = ReactionCount & { id: number; at: number };

const NAMES: Record<string, string> = {
  '👏': 'applause',
  '❤️': 'love',
  '😂': 'laughing',
  '🔥': 'fire',
  '💯': 'a hundred',
  '🙌': 'raised hands',
  '😮': 'wow',
  '👍': 'thumbs up',
};

let nextBurst = 0;

/**
 * Follows the latest batch (a new array for every batch the server sends) and
 * keeps the bursts of the last `showMs` and the totals.
 */
export function useReactionLog(latest: readonly ReactionCount[] | null, showMs = 6000): { bursts: ReactionBurst[]; totals: ReactionCount[] } {
  const [bursts, setBursts] = useState<ReactionBurst[]>([]);
  const [totals, setTotals] = useState<Map<string, number>>(new Map());
  useEffect(() => {
    if (!latest?.length) return;
    const at = Date.now();
    setBursts((old) => [...old.filter((b) => at - b.at < showMs), ...latest.map((c) => ({ ...c, id: nextBurst++, at }))].slice(-24));
    setTotals((old) => {
      const next = new Map(old);
      for (const { emoji, count } of latest) next.set(emoji, (next.get(emoji) ?? 0) + count);
      return next;
    });
  }, [latest, showMs]);
  useEffect(() => {
    if (bursts.length === 0) return;
    const oldest = Math.min(...bursts.map((b) => b.at));
    const timer = setTimeout(() => setBursts((old) => old.filter((b) => Date.now() - b.at < showMs)), Math.max(0, oldest + showMs - Date.now()));
    return () => clearTimeout(timer);
  }, [bursts, showMs]);
  return { bursts, totals: [...totals].map(([emoji, count]) => ({ emoji, count })).sort((a, b) => b.count - a.count) };
}

export function ReactionsFeed({ bursts, totals }: { bursts: readonly ReactionBurst[]; totals: readonly ReactionCount[] }) {
  const said = bursts.map((b) => `${b.count} ${NAMES[b.emoji] ?? b.emoji}`).join(', ');
  return (
    <section className="reactions-feed" aria-labelledby="reactions-heading">
      <h3 id="reactions-heading">Reactions</h3>
      <div className="bursts" aria-hidden="true">
        {bursts.map((b) => (
          <span key={b.id} className="burst" data-emoji={b.emoji}>
            {b.emoji}
            {b.count > 1 ? <small>×{b.count}</small> : null}
          </span>
        ))}
      </div>
      <p className="visually-hidden" aria-live="polite">
        {said ? `Reactions: ${said}` : ''}
      </p>
      {totals.length ? (
        <ul className="totals" aria-label="Reactions so far">
          {totals.map((t) => (
            <li key={t.emoji} data-emoji={t.emoji} aria-label={`${t.count} ${NAMES[t.emoji] ?? t.emoji}`}>
              {t.emoji} <span className="total">{t.count}</span>
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted empty">No reactions yet.</p>
      )}
    </section>
  );
}
