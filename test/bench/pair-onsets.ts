/**
 * Pairs microphone onsets with the listener's. The bursts' gaps all differ from
 * their neighbours', so an onset is recognised by the gap before it: a listener
 * onset answers a microphone onset only if it comes within (0, maxMs] after it
 * and follows the same gap (± toleranceMs). A lost or extra onset costs a pair,
 * never a wrong one.
 */
export type Pairing = { latencies: number[]; unmatched: number };

export function pairOnsets(mic: readonly number[], ear: readonly number[], options: { maxMs: number; toleranceMs: number }): Pairing {
  const latencies: number[] = [];
  let unmatched = 0;
  for (let i = 1; i < mic.length; i++) {
    const at = mic[i]!;
    const gap = at - mic[i - 1]!;
    let found: number | null = null;
    for (let j = 1; j < ear.length && found === null; j++) {
      const latency = ear[j]! - at;
      if (latency > 0 && latency <= options.maxMs && Math.abs(ear[j]! - ear[j - 1]! - gap) <= options.toleranceMs) found = latency;
    }
    if (found === null) unmatched++;
    else latencies.push(found);
  }
  return { latencies, unmatched };
}
