/**
 * The host's live sales of a ticketed Space (issue #9), from the studio's main process with the
 * signed-in session: `GET /api/spaces/:id/sales` (server/http/refund-routes.ts).
 */
import { PermissionError, ValidationError } from '../server/errors.ts';
import { salesReportJsonSchema, type SalesReportJson } from '../server/http/refund-api.ts';
import { callServer, type Fetch } from './server-api.ts';
import type { SessionKeeper } from './studio-account.ts';

export class StudioSales {
  readonly #keeper: SessionKeeper;
  readonly #fetch: Fetch;

  constructor(keeper: SessionKeeper, fetchImpl: Fetch = fetch) {
    this.#keeper = keeper;
    this.#fetch = fetchImpl;
  }

  get(serverUrl: string, spaceId: string): Promise<SalesReportJson> {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(spaceId)) throw new ValidationError('That is not a Space id.');
    const session = this.#keeper.getSession();
    if (!session || session.serverUrl !== serverUrl) throw new PermissionError('Sign in first.');
    return callServer(this.#fetch, serverUrl, `/api/spaces/${spaceId}/sales`, { token: session.token }, salesReportJsonSchema);
  }
}
