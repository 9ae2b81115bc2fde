/**
 * electron-builder.yml sets the Electron fuses that close the known ways to
 * run other code inside the packaged app, with key names electron-builder's own
 * schema knows (a misspelt key would be an error only on a creator's machine).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const yml = readFileSync(new URL('../electron-builder.yml', import.meta.url), 'utf8');

/** `key: value` lines of a top-level block of the YAML file. */
function block(name: string): Record<string, string> {
  const lines = yml.split('\n');
  const start = lines.indexOf(`${name}:`);
  if (start < 0) return {};
  const entries: Record<string, string> = {};
  for (const line of lines.slice(start + 1)) {
    if (/^\S/.test(line)) break;
    const match = /^\s+(\w+):\s*(\S+)\s*$/.exec(line);
    if (match) entries[match[1]!] = match[2]!;
  }
  return entries;
}

describe('electron-builder.yml', () => {
  it('sets the security fuses', () => {
    expect(block('electronFuses')).toEqual({
      runAsNode: 'false',
      enableNodeOptionsEnvironmentVariable: 'false',
      enableNodeCliInspectArguments: 'false',
      enableCookieEncryption: 'true',
      enableEmbeddedAsarIntegrityValidation: 'true',
      onlyLoadAppFromAsar: 'true',
      grantFileProtocolExtraPrivileges: 'false',
    });
  });

  it("uses fuse names from electron-builder's schema", () => {
    const schemaPath = createRequire(import.meta.url).resolve('app-builder-lib/scheme.json');
    const schema = JSON.parse(readFileSync(schemaPath, 'utf8')) as { definitions: { FuseOptionsV1: { properties: Record<string, unknown> } } };
    const known = Object.keys(schema.definitions.FuseOptionsV1.properties);
    for (const key of Object.keys(block('electronFuses'))) expect(known, key).toContain(key);
  });
});
