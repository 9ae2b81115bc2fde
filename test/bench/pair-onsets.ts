/**
 * Pairs onsets upstream (e.g. the microphone) with the same onsets downstream
 * (e.g. a listener). The bursts' gaps all differ from their neighbours' by 50 ms
 * or more, so an onset is recognised by the gap before it. Anchors are pairs
 * whose gaps agree (± toleranceMs) with a latency in (0, maxMs]; every other
 * upstream onset takes the index offset of its nearest anchor, so onsets whose
 * gap was stretched (the jitter buffer speeding up or slowing down) are still
 * paired and counted, never dropped as outliers and never paired with the
 * wrong burst.
 */
export type Pairing = { latencies: number[]; anchors: number; unmatched: number };

export function pairOnsets(up: readonly number[], down: readonly number[], options: { maxMs: number; toleranceMs: number }): Pairing {
  const inRange = (i: number, j: number) => j >= 0 && j < down.length && down[j]! - up[i]! > 0 && down[j]! - up[i]! <= options.maxMs;
  const anchors: Array<{ i: number; offset: number }> = [];
  for (let i = 1; i < up.length; i++) {
    const gap = up[i]! - up[i - 1]!;
    for (let j = 1; j < down.length; j++) {
      if (inRange(i, j) && Math.abs(down[j]! - down[j - 1]! - gap) <= options.toleranceMs) {
        anchors.push({ i, offset: j - i });
        break;
      }
    }
  }
  const latencies: number[] = [];
  let unmatched = 0;
  if (anchors.length === 0) return { latencies, anchors: 0, unmatched: up.length };
  for (let i = 0; i < up.length; i++) {
    const nearest = anchors.reduce((best, a) => (Math.abs(a.i - i) < Math.abs(best.i - i) ? a : best));
    const j = i + nearest.offset;
    if (inRange(i, j)) latencies.push(down[j]! - up[i]!);
    else unmatched++;
  }
  return { latencies, anchors: anchors.length, unmatched };
}
