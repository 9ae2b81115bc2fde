/**
 * Speech for caption tests and benchmarks: flite sentences as 16 kHz mono s16le PCM
 * (what caption engines read) or WAV, cached per text and voice in a temp folder;
 * the default caption engine's command (built by ./spacecraft setup, or built here
 * from resources/caption-engine/ when the variable is unset); word error rate and
 * word recall.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { missingToolMessage, requireCommand } from './require-tool.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CACHE = join(tmpdir(), 'spacecraft-speech-cache');

/** flite's 16 kHz voices (its plain `kal` is 8 kHz: band-limited, PocketSphinx's 16 kHz model hears almost nothing of it). */
export const FLITE_VOICES = ['rms', 'slt', 'awb', 'kal16'] as const;
export type FliteVoice = (typeof FLITE_VOICES)[number];

let engineCommand: string[] | undefined;

/**
 * The default caption engine as argv: SPACECRAFT_CAPTION_ENGINE_BIN (exported by
 * ./spacecraft setup), else built (or taken from the cache) by ensure-engine.sh.
 */
export function captionEngineCommand(): string[] {
  if (engineCommand) return engineCommand;
  const fromEnv = process.env['SPACECRAFT_CAPTION_ENGINE_BIN'];
  if (fromEnv) return (engineCommand = [fromEnv]);
  try {
    const path = execFileSync('bash', [join(ROOT, 'resources/caption-engine/ensure-engine.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 }).trim();
    return (engineCommand = [path]);
  } catch (error) {
    throw new Error(missingToolMessage('the caption engine (PocketSphinx)', (error as { stderr?: string }).stderr?.trim() ?? String(error)), { cause: error });
  }
}

export function requireSpeechTools(): void {
  requireCommand('flite', ['-lv']);
  requireCommand('sox', ['--version']);
}

function cached(key: string, ext: string, make: (path: string) => void): string {
  mkdirSync(CACHE, { recursive: true });
  const path = join(CACHE, `${createHash('sha256').update(key).digest('hex').slice(0, 20)}.${ext}`);
  if (!existsSync(path)) {
    const tmp = `${path}.${process.pid}.tmp.${ext}`;
    make(tmp);
    renameSync(tmp, path);
  }
  return path;
}

export type SpeechOptions = { voice?: FliteVoice; padBefore?: number; padAfter?: number };

/** A WAV of `text` spoken by flite, 16 kHz mono, with silence around it (seconds). */
export function speechWav(text: string, options: SpeechOptions = {}): string {
  const voice = options.voice ?? 'rms';
  const padBefore = options.padBefore ?? 0.3;
  const padAfter = options.padAfter ?? 1;
  const raw = cached(`flite:${voice}:${text}`, 'wav', (path) => {
    execFileSync('flite', ['-voice', voice, '-t', text, '-o', path], { stdio: 'ignore', timeout: 60_000 });
  });
  return cached(`wav16:${raw}:${padBefore}:${padAfter}`, 'wav', (path) => {
    execFileSync('sox', [raw, '-r', '16000', '-c', '1', '-b', '16', '-e', 'signed-integer', path, 'pad', String(padBefore), String(padAfter)], { stdio: 'ignore', timeout: 60_000 });
  });
}

/** `text` spoken by flite as raw 16 kHz mono s16le PCM (what a caption engine reads). */
export function speechPcm(text: string, options: SpeechOptions = {}): Buffer {
  const wav = speechWav(text, options);
  const raw = cached(`raw:${wav}`, 'raw', (path) => {
    execFileSync('sox', [wav, '-t', 'raw', '-r', '16000', '-c', '1', '-b', '16', '-e', 'signed-integer', path], { stdio: 'ignore', timeout: 60_000 });
  });
  return readFileSync(raw);
}

/** Lower-case words without punctuation (apostrophes kept). */
export function words(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9' ]+/g, ' ')
    .split(/\s+/)
    .filter(Boolean);
}

/** Word error rate: (substitutions + deletions + insertions) / reference words (Levenshtein over words). */
export function wordErrorRate(reference: string, hypothesis: string): number {
  const ref = words(reference);
  const hyp = words(hypothesis);
  if (ref.length === 0) return hyp.length === 0 ? 0 : 1;
  let previous = Array.from({ length: hyp.length + 1 }, (_, j) => j);
  for (let i = 1; i <= ref.length; i++) {
    const row = [i];
    for (let j = 1; j <= hyp.length; j++) {
      row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (ref[i - 1] === hyp[j - 1] ? 0 : 1));
    }
    previous = row;
  }
  return previous[hyp.length]! / ref.length;
}

/** Share of the reference's words found in the hypothesis (each found word used once). */
export function wordRecall(reference: string, hypothesis: string): number {
  const ref = words(reference);
  const left = new Map<string, number>();
  for (const w of words(hypothesis)) left.set(w, (left.get(w) ?? 0) + 1);
  let found = 0;
  for (const w of ref) {
    const n = left.get(w) ?? 0;
    if (n > 0) {
      found++;
      left.set(w, n - 1);
    }
  }
  return ref.length === 0 ? 1 : found / ref.length;
}
