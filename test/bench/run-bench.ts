/**
 * How every bench entry point runs: `main` within a deadline, its clean-ups in reverse order
 * whatever happened, a failure printed with its reason, and the exit code saying which.
 */
export async function runBench(main: () => Promise<void>, deadlineMs: number, cleanups: Array<() => unknown>): Promise<never> {
  let failed = false;
  const deadline = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`did not finish within ${deadlineMs / 1000} s`)), deadlineMs).unref());
  try {
    await Promise.race([main(), deadline]);
  } catch (error) {
    failed = true;
    console.error(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  } finally {
    for (const cleanup of cleanups.reverse()) await Promise.resolve().then(cleanup).catch(() => {});
  }
  process.exit(failed ? 1 : 0);
}
