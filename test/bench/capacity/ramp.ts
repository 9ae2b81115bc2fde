/**
 * How both capacity benches (bare mediasoup, our server) look for the most listeners that still
 * pass: `rampUp` runs N = step, 2·step, … until a step fails (or, with fixed steps, every one of
 * them), and `narrowDown` halves the gap between the last good and the first bad N down to 50.
 * `run(n)` sets the load to n, measures it and says whether it held.
 */
export type Limit = { good: number; bad: number };

type Run = (n: number) => Promise<{ ok: boolean }>;

export async function rampUp(run: Run, options: { stepSize: number; maxN: number; deadline: number; fixedSteps?: number[] | undefined }): Promise<Limit> {
  let good = 0;
  let bad = 0;
  if (options.fixedSteps) {
    // Fixed steps, all of them whatever happens (a machine too busy for the ramp still gives CPU per listener).
    // The largest N reported is the last of an unbroken run of good steps from the first.
    let unbroken = true;
    for (const n of options.fixedSteps) {
      const ok = (await run(n)).ok;
      unbroken &&= ok;
      if (unbroken) good = n;
    }
    return { good, bad };
  }
  for (let n = options.stepSize; n <= options.maxN && Date.now() < options.deadline; n += options.stepSize) {
    if ((await run(n)).ok) good = n;
    else {
      bad = n;
      break;
    }
  }
  return { good, bad };
}

/** Between the last good and the first bad N, in steps of 25, until they are 50 apart (or the time is up). */
export async function narrowDown(run: Run, limit: Limit, deadline: number): Promise<Limit> {
  let { good, bad } = limit;
  while (bad && bad - good > 50 && Date.now() < deadline) {
    const mid = Math.round((good + bad) / 2 / 25) * 25;
    if ((await run(mid)).ok) good = mid;
    else bad = mid;
  }
  return { good, bad };
}
