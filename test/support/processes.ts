/** Whether processes a test started (helpers, servers, engines) are still there. */

/** True while a process with this id exists (signal 0 only asks); false for no id. */
export function processAlive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
