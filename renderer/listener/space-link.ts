/** The Space id a listener link names (`/s/<id>`), or null when the link cannot name one (empty, or bad percent-encoding). */
export function spaceIdFromPath(pathname: string): string | null {
  const last = pathname.split('/').filter(Boolean).at(-1);
  if (!last) return null;
  try {
    return decodeURIComponent(last);
  } catch {
    return null;
  }
}
