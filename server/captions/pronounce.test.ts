import { describe, expect, it } from 'vitest';
import { requireSpeechTools } from '../../test/support/speech.ts';
import { SpacecraftError } from '../errors.ts';
import { fliteToPocketSphinx, POCKETSPHINX_PHONES, pronounce } from './pronounce.ts';

describe('fliteToPocketSphinx', () => {
  it('upper-cases, strips stress, drops pauses and folds flite-only phones into the PocketSphinx set', () => {
    expect(fliteToPocketSphinx('pau z ao1 r b l ae1 k s pau \n')).toBe('Z AO R B L AE K S');
    expect(fliteToPocketSphinx('pau hh ax l ow1 pau')).toBe('HH AH L OW');
    expect(fliteToPocketSphinx('pau b axr0 d pau')).toBe('B ER D');
    expect(fliteToPocketSphinx('pau')).toBe('');
  });

  it('a phone PocketSphinx does not know is an error, not a bad dictionary entry', () => {
    expect(() => fliteToPocketSphinx('pau qq1 pau')).toThrow(SpacecraftError);
  });
});

describe('pronounce (flite t2p)', () => {
  it('gives PocketSphinx phones for made-up names and ordinary words', async () => {
    requireSpeechTools();
    expect(await pronounce('Zorblax')).toBe('Z AO R B L AE K S');
    const phones = await pronounce('Spacecraft');
    expect(phones.split(' ').every((p) => POCKETSPHINX_PHONES.has(p))).toBe(true);
    expect(phones).toMatch(/^S P EY S K R AE F T$/);
    expect((await pronounce("O'Neill")).length).toBeGreaterThan(0);
    expect((await pronounce('Zürich')).length).toBeGreaterThan(0);
  });

  it('refuses what is not one word: options, shell text, spaces, empty, too long', async () => {
    for (const bad of ['-h', '--help', '$(reboot)', 'two words', '', 'a'.repeat(65), 'semi;colon', "'", 'new\nline']) {
      const error: unknown = await pronounce(bad).catch((e: unknown) => e);
      expect(error, bad).toBeInstanceOf(SpacecraftError);
      expect((error as SpacecraftError).code, bad).toBe('VALIDATION');
    }
  });

  it('many at once all get answers (at most a few t2p processes run at a time)', async () => {
    const words = Array.from({ length: 12 }, (_, i) => `Blorp${String.fromCharCode(97 + i)}`);
    const all = await Promise.all(words.map((w) => pronounce(w)));
    expect(all).toHaveLength(12);
    expect(all.every((p) => p.startsWith('B') && p.split(' ').every((phone) => POCKETSPHINX_PHONES.has(phone)))).toBe(true);
  });
});
