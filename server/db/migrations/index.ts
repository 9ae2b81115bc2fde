/**
 * Every migration, in order, imported statically: the server is also bundled into one file for
 * the desktop app (electron-vite), where a folder of migration files cannot be read at run time.
 * Add a file `NNNN-what.ts` and a line here; never edit one that has shipped.
 */
import type { Migration, MigrationProvider } from 'kysely/migration';
import * as accounts from './0001-accounts.ts';
import * as spaces from './0002-spaces.ts';
import * as captions from './0004-captions.ts';
import * as reminders from './0005-reminders.ts';
import * as tickets from './0003-tickets.ts';
import * as ticketRefunds from './0006-ticket-refunds.ts';
import * as premiereSpaces from './0007-premiere-spaces.ts';

const MIGRATIONS: Record<string, Migration> = {
  '0001-accounts': accounts,
  '0002-spaces': spaces,
  '0004-captions': captions,
  '0005-reminders': reminders,
  '0003-tickets': tickets,
  '0006-ticket-refunds': ticketRefunds,
  '0007-premiere-spaces': premiereSpaces,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: () => Promise.resolve(MIGRATIONS),
};
