/**
 * Runs a contract method for whoever asked (Electron IPC or the browser-mode
 * bridge): checks the channel and validates the argument before the handler
 * runs, and turns every failure into a typed error. Never throws.
 */
import type { Logger } from 'pino';
import { describeIssues, SpacecraftError, toWireError } from '../../server/errors.ts';
import { safeParse } from '../../server/lib/safe-parse.ts';
import { methods, type Channel, type IpcReply, type MethodInput, type MethodOutput } from '../contract.ts';

export type StudioHandlers = { [C in Channel]: (input: MethodInput<C>) => Promise<MethodOutput<C>> };

export type Dispatch = (channel: unknown, input: unknown) => Promise<IpcReply>;

export function createDispatcher(handlers: StudioHandlers, logger?: Logger): Dispatch {
  return async (channel, input) => {
    if (typeof channel !== 'string' || !Object.hasOwn(methods, channel)) {
      return { ok: false, error: { code: 'UNKNOWN_METHOD', message: `Unknown studio method ${JSON.stringify(channel)}.` } };
    }
    const method = methods[channel as Channel];
    const parsed = safeParse(method.input, input);
    if (!parsed.success) {
      return {
        ok: false,
        error: { code: 'VALIDATION', message: `Invalid argument for ${channel}.`, details: describeIssues(parsed.error.issues) },
      };
    }
    try {
      const handler = handlers[channel as Channel] as (input: unknown) => Promise<unknown>;
      return { ok: true, data: method.output.parse(await handler(parsed.data)) };
    } catch (error) {
      if (!(error instanceof SpacecraftError)) logger?.error({ err: error, channel }, 'studio handler failed');
      return { ok: false, error: toWireError(error) };
    }
  };
}
