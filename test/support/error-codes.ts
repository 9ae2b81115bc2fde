/**
 * The typed error a call fails with, as its code: tests compare codes (`'SOLD_OUT'`,
 * `'VALIDATION'`…) rather than catch by hand. Anything that is not a `SpacecraftError` is thrown
 * on, so an unexpected crash still fails the test.
 */
import { SpacecraftError } from '../../server/errors.ts';

/** The code `run` throws with, `'OK'` when it returns. */
export function codeOfCall(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    return codeOrThrow(error);
  }
  return 'OK';
}

/** The code `promise` rejects with, `'OK'` when it resolves. */
export async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return codeOrThrow(error);
  }
  return 'OK';
}

function codeOrThrow(error: unknown): string {
  if (error instanceof SpacecraftError) return error.code;
  throw error;
}
