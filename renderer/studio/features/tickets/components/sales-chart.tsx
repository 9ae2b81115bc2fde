/** Tickets sold over time as a small SVG step chart (no chart library): cumulative sales per minute. */

export type SalesPoint = { at: string; total: number };

const WIDTH = 320;
const HEIGHT = 96;
const PAD = 4;

/**
 * The chart's path: a step line from the first sale to `now` (ms), scaled to the box, the top
 * being `capacity` (or the highest total, when more were sold than there are seats now). Empty
 * when nothing was sold yet.
 */
export function salesPath(series: readonly SalesPoint[], capacity: number, now: number): string {
  if (series.length === 0) return '';
  const times = series.map((p) => Date.parse(p.at));
  const start = times[0]!;
  const end = Math.max(now, times.at(-1)! + 60_000);
  const top = Math.max(capacity, ...series.map((p) => p.total), 1);
  const x = (t: number) => PAD + ((t - start) / (end - start)) * (WIDTH - 2 * PAD);
  const y = (total: number) => HEIGHT - PAD - (total / top) * (HEIGHT - 2 * PAD);
  let d = `M${x(start).toFixed(1)},${y(0).toFixed(1)}`;
  series.forEach((point, i) => {
    d += ` H${x(times[i]!).toFixed(1)} V${y(point.total).toFixed(1)}`;
  });
  return `${d} H${x(end).toFixed(1)}`;
}

export function SalesChart({ series, capacity, now }: { series: readonly SalesPoint[]; capacity: number; now: number }) {
  const path = salesPath(series, capacity, now);
  const last = series.at(-1)?.total ?? 0;
  return (
    <svg role="img" aria-label={`Tickets sold over time: ${last} so far`} viewBox={`0 0 ${WIDTH} ${HEIGHT}`} width={WIDTH} height={HEIGHT} className="sales-chart">
      <rect x={0} y={0} width={WIDTH} height={HEIGHT} fill="none" stroke="currentColor" strokeOpacity={0.2} />
      {path ? <path d={path} fill="none" stroke="currentColor" strokeWidth={2} /> : <text x={WIDTH / 2} y={HEIGHT / 2} textAnchor="middle" fontSize={12} fill="currentColor">No sales yet</text>}
    </svg>
  );
}
