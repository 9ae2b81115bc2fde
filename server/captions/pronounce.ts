/**
 * Pronunciations for custom caption vocabulary: flite's letter-to-sound rules
 * (`t2p`, Debian's flite package) give phones, mapped here to the PocketSphinx
 * en-us phone set (upper case, no stress digits, flite's extra phones folded in,
 * pauses dropped).
 */
import { spawn } from 'node:child_process';
import { SpacecraftError, ValidationError } from '../errors.ts';

/** The phones of PocketSphinx's en-us model (SIL aside). */
export const POCKETSPHINX_PHONES = new Set(
  'AA AE AH AO AW AY B CH D DH EH ER EY F G HH IH IY JH K L M N NG OW OY P R S SH T TH UH UW V W Y Z ZH'.split(' '),
);
/** flite phones that PocketSphinx's set spells differently. */
const FLITE_TO_POCKETSPHINX: Record<string, string> = { AX: 'AH', AXR: 'ER' };

/** A word for the caption dictionary: letters (any script), digits, ' and - inside; no spaces. */
export const VOCABULARY_WORD = /^[\p{L}\p{N}](?:[\p{L}\p{N}'-]{0,62}[\p{L}\p{N}])?$/u;

const T2P_TIMEOUT_MS = 5000;
const MAX_OUTPUT_BYTES = 4096;
/** t2p processes at once; more callers wait their turn. */
const MAX_CONCURRENT = 4;
let running = 0;
const waiting: Array<() => void> = [];

/** Maps t2p's output ("pau z ao1 r b l ae1 k s pau") to PocketSphinx phones ("Z AO R B L AE K S"). */
export function fliteToPocketSphinx(t2pOutput: string): string {
  const phones: string[] = [];
  for (const token of t2pOutput.trim().split(/\s+/)) {
    if (!token || token === 'pau') continue;
    const bare = token.replace(/[0-9]+$/, '').toUpperCase();
    const phone = FLITE_TO_POCKETSPHINX[bare] ?? bare;
    if (!POCKETSPHINX_PHONES.has(phone)) throw new SpacecraftError('INTERNAL', `flite gave a phone PocketSphinx does not know: "${token}"`);
    phones.push(phone);
  }
  return phones.join(' ');
}

/** Pronunciation for a new word (flite's `t2p`, mapped to the PocketSphinx phone set). */
export async function pronounce(word: string): Promise<string> {
  if (!VOCABULARY_WORD.test(word)) {
    throw new ValidationError('A vocabulary word is one word of letters or digits (with \' or - inside), up to 64 characters.');
  }
  await turn();
  try {
    const output = await runT2p(word);
    const phones = fliteToPocketSphinx(output);
    if (!phones) throw new ValidationError(`No pronunciation could be made for "${word}".`);
    return phones;
  } finally {
    running--;
    waiting.shift()?.();
  }
}

function turn(): Promise<void> {
  if (running < MAX_CONCURRENT) {
    running++;
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    waiting.push(() => {
      running++;
      resolve();
    });
  });
}

function runT2p(word: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('t2p', [word], { stdio: ['ignore', 'pipe', 'ignore'], timeout: T2P_TIMEOUT_MS });
    let output = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      output += chunk;
      if (output.length > MAX_OUTPUT_BYTES) child.kill('SIGKILL');
    });
    child.once('error', (error) =>
      reject(new SpacecraftError('CAPTIONS_UNAVAILABLE', `Pronunciations need flite's t2p (apt-get install flite): ${error.message}`)),
    );
    child.once('close', (code, signal) => {
      if (code === 0 && output.length <= MAX_OUTPUT_BYTES) resolve(output);
      else reject(new SpacecraftError('CAPTIONS_UNAVAILABLE', `flite's t2p failed for that word (${signal ?? `exit code ${String(code)}`}).`));
    });
  });
}
