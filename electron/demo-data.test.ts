import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { databaseFolder } from '../server/db/database.ts';
import { bundledDatabaseFolder, bundledDemoData, demoDataOn } from './demo-data.ts';

const folders: string[] = [];
const newDataDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'spacecraft-demo-data-'));
  folders.push(dir);
  return dir;
};
afterEach(() => folders.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe('demo accounts for the bundled server', () => {
  it('are on for a first run (no database in the data folder yet, or one in memory)', () => {
    expect(bundledDemoData({}, newDataDir())).toBe('true');
    expect(bundledDemoData({}, join(newDataDir(), 'not-made-yet'))).toBe('true');
    expect(bundledDemoData({}, 'memory://')).toBe('true');
  });

  it("are off once the data folder holds a database: a creator's real data gets no fake followers", () => {
    const dir = newDataDir();
    mkdirSync(bundledDatabaseFolder(dir));
    expect(bundledDemoData({}, dir)).toBe('false');
  });

  it('follow SPACECRAFT_DEMO_DATA when it is set, either way', () => {
    const fresh = newDataDir();
    expect(bundledDemoData({ SPACECRAFT_DEMO_DATA: 'false' }, fresh)).toBe('false');
    const used = newDataDir();
    mkdirSync(bundledDatabaseFolder(used));
    expect(bundledDemoData({ SPACECRAFT_DEMO_DATA: 'true' }, used)).toBe('true');
    // An empty value counts as not set.
    expect(bundledDemoData({ SPACECRAFT_DEMO_DATA: '' }, fresh)).toBe('true');
  });

  it("look for the database where the server keeps it", () => {
    expect(bundledDatabaseFolder('/srv/spacecraft')).toBe(databaseFolder('/srv/spacecraft'));
  });

  it('read a value as the server does', () => {
    for (const on of ['true', '1', 'yes', 'on']) expect(demoDataOn(on), on).toBe(true);
    for (const off of ['false', '0', 'no', 'off', 'perhaps']) expect(demoDataOn(off), off).toBe(false);
  });
});
