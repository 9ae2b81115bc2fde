/**
 * CaptionEngine with the real default engine (pocketsphinx-lines over Debian's
 * PocketSphinx) on flite speech, and with hostile or broken engines.
 *
 * Recall bound: on the 12 sentences of test/bench/captions/sentences.ts spoken by
 * flite's rms voice, the engine's finals had a mean word recall of 0.945 (lowest
 * sentence 0.75) and a WER of 0.073, measured 2026-11-27. The same audio decodes the
 * same way except for where reads split it, so 0.8 over four sentences leaves room
 * for that and still fails when the pipeline loses or garbles words.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { SENTENCES } from '../../test/bench/captions/sentences.ts';
import { captionEngineCommand, requireSpeechTools, speechPcm, wordRecall } from '../../test/support/speech.ts';
import { SpacecraftError, ValidationError } from '../errors.ts';
import { CaptionEngine, splitCommandLine, type EngineResult } from './caption-engine.ts';
import { pronounce } from './pronounce.ts';

const logger = pino({ level: 'silent' });
const engines = new Set<CaptionEngine>();
let command: string[];

async function start(options: Partial<Parameters<typeof CaptionEngine.start>[0]> = {}): Promise<CaptionEngine> {
  const engine = await CaptionEngine.start({ command, logger, ...options });
  engines.add(engine);
  return engine;
}

/** Collects every result the engine gives. */
function collect(engine: CaptionEngine): EngineResult[] {
  const results: EngineResult[] = [];
  engine.events.on('result', (r) => results.push(r));
  return results;
}

async function until<T>(what: string, check: () => T | undefined | false, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Writes PCM in 20 ms chunks, `speed` times faster than real time. */
async function feed(engine: CaptionEngine, pcm: Buffer, speed = 5): Promise<void> {
  const chunk = 640;
  const chunksPerTick = Math.max(1, Math.round(speed));
  for (let i = 0; i < pcm.length; i += chunk * chunksPerTick) {
    for (let j = 0; j < chunksPerTick && i + j * chunk < pcm.length; j++) {
      engine.write(pcm.subarray(i + j * chunk, Math.min(pcm.length, i + (j + 1) * chunk)));
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

const finalsText = (results: EngineResult[]): string =>
  results
    .filter((r) => r.kind === 'final')
    .map((r) => r.text)
    .join(' ');

/** A tiny engine in Node for protocol tests: `script` runs with `out(line)` to write a stdout line. */
function nodeEngine(script: string): string[] {
  return [process.execPath, '-e', `const out = (l) => process.stdout.write(l + '\\n'); ${script}`];
}

beforeAll(() => {
  requireSpeechTools();
  command = captionEngineCommand();
});

afterEach(() => {
  for (const engine of engines) engine.close();
  engines.clear();
});

describe('CaptionEngine with PocketSphinx', { timeout: 120_000 }, () => {
  it('captions flite speech: partial words as they form, then finals with word times, recall ≥ 0.8', async () => {
    const engine = await start();
    const results = collect(engine);
    const sentences = SENTENCES.slice(0, 4);
    let offset = 0;
    const spans: Array<[number, number]> = [];
    for (const sentence of sentences) {
      const pcm = speechPcm(sentence, { voice: 'rms', padBefore: 0.3, padAfter: 1 });
      spans.push([offset, offset + pcm.length / 32_000]);
      offset += pcm.length / 32_000;
      await feed(engine, pcm);
    }
    await until('four finals', () => results.filter((r) => r.kind === 'final').length >= 4);
    const finals = results.filter((r) => r.kind === 'final');
    const recall = wordRecall(sentences.join(' '), finalsText(results));
    expect(recall, finalsText(results)).toBeGreaterThanOrEqual(0.8);
    // Each utterance: partials first, then its final; numbers grow; words in order inside the audio.
    for (const [i, final] of finals.entries()) {
      const firstOfUtterance = results.findIndex((r) => r.utterance === final.utterance);
      expect(results[firstOfUtterance]!.kind).toBe('partial');
      expect(final.utterance).toBeGreaterThan(i === 0 ? 0 : finals[i - 1]!.utterance);
      const [from, to] = spans[i]!;
      expect(final.start).toBeGreaterThanOrEqual(from);
      expect(final.end).toBeLessThanOrEqual(to + 0.05);
      for (const [k, w] of final.words.entries()) {
        expect(w.end).toBeGreaterThan(w.start);
        expect(w.confidence).toBeGreaterThanOrEqual(0);
        expect(w.confidence).toBeLessThanOrEqual(1);
        if (k > 0) expect(w.start).toBeGreaterThanOrEqual(final.words[k - 1]!.end - 0.011);
      }
      expect(final.text).toBe(final.words.map((w) => w.word).join(' '));
    }
    expect(engine.audioSeconds).toBeCloseTo(offset, 3);
  });

  it('addWord makes a misrecognised made-up name right in the next utterance', async () => {
    const sentence = 'Please welcome Zorblax to the stage.';
    const pcm = speechPcm(sentence, { voice: 'rms' });
    const engine = await start();
    const results = collect(engine);
    await feed(engine, pcm);
    await until('the first final', () => results.find((r) => r.kind === 'final'));
    expect(finalsText(results)).not.toContain('Zorblax');

    engine.addWord('Zorblax', await pronounce('Zorblax'));
    await feed(engine, pcm);
    await until('the second final', () => results.filter((r) => r.kind === 'final').length >= 2);
    const second = results.filter((r) => r.kind === 'final')[1]!;
    expect(second.words.map((w) => w.word)).toContain('Zorblax');
    expect(wordRecall(sentence, second.text)).toBeGreaterThanOrEqual(0.6);
  });

  it('an engine killed mid-sentence comes back with its vocabulary; what was partial becomes final, later speech is captioned', async () => {
    const engine = await start({ restartDelayMs: { first: 50, max: 1000 } });
    const results = collect(engine);
    let restarted = 0;
    engine.events.on('restarted', () => restarted++);
    engine.addWord('Zorblax', await pronounce('Zorblax'));

    const first = speechPcm(SENTENCES[1], { voice: 'rms', padAfter: 0 });
    const firstPid = engine.pid!;
    // Real-time pace until a partial shows, then kill the process in the middle of the sentence.
    const feeding = feed(engine, first, 1);
    await until('a partial', () => results.find((r) => r.kind === 'partial' && r.words.length >= 2));
    process.kill(firstPid, 'SIGKILL');
    await feeding;
    const saved = await until('the partial kept as final', () => results.find((r) => r.kind === 'final'));
    expect(saved.words.length).toBeGreaterThanOrEqual(2);
    await until('the restart', () => restarted === 1 && engine.pid !== undefined);
    expect(engine.pid).not.toBe(firstPid);
    expect(engine.restarts).toBe(1);

    const before = results.length;
    const later = 'Please welcome Zorblax to the stage.';
    const clockAtRestart = engine.audioSeconds;
    await feed(engine, speechPcm(later, { voice: 'rms' }));
    // The rest of the first sentence reaches the new process too: look for the later speech.
    const after = await until('the later speech, name and all', () => results.slice(before).find((r) => r.kind === 'final' && r.words.some((w) => w.word === 'Zorblax')));
    expect(after.utterance).toBeGreaterThan(saved.utterance);
    // One clock across restarts: the new process's times continue the old one's.
    expect(after.start).toBeGreaterThanOrEqual(clockAtRestart);
  });

  it('close() stops the process and is idempotent; bad PCM is refused', async () => {
    const engine = await start();
    const pid = engine.pid!;
    expect(() => engine.write(Buffer.alloc(3))).toThrow(TypeError);
    const exited = new Promise<void>((resolve) => {
      const check = setInterval(() => {
        try {
          process.kill(pid, 0);
        } catch {
          clearInterval(check);
          resolve();
        }
      }, 20);
    });
    engine.close();
    engine.close();
    await exited;
    expect(engine.closed).toBe(true);
    engine.write(Buffer.alloc(640)); // ignored after close
  });
});

describe('CaptionEngine with bad or hostile engines', { timeout: 60_000 }, () => {
  const rejectsWith = async (cmd: string[], fragment: string, options: Partial<Parameters<typeof CaptionEngine.start>[0]> = {}): Promise<void> => {
    const error: unknown = await start({ command: cmd, ...options }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SpacecraftError);
    expect((error as SpacecraftError).code).toBe('CAPTIONS_UNAVAILABLE');
    expect((error as SpacecraftError).message).toContain(cmd[0]);
    expect((error as SpacecraftError).message).toContain(fragment);
  };

  it('a missing program, one that exits, one that never says ready: CAPTIONS_UNAVAILABLE naming the command', async () => {
    await rejectsWith(['/nonexistent/caption-engine', '--model', 'x'], 'cannot be started');
    await rejectsWith(nodeEngine(`process.stderr.write('no model here\\n'); process.exit(3)`), 'exited with code 3');
    await rejectsWith(nodeEngine('setTimeout(() => {}, 60000)'), 'did not say it was ready', { readyTimeoutMs: 300 });
    await rejectsWith([command[0]!, '-hmm', '/nonexistent/model'], 'exited with code 2');
    const empty = await CaptionEngine.start({ command: [], logger }).catch((e: unknown) => e);
    expect((empty as SpacecraftError).code).toBe('CAPTIONS_UNAVAILABLE');
  });

  it('lines that are not JSON, outside the protocol or too long are dropped; valid results still come', async () => {
    const engine = await start({
      command: nodeEngine(`
        out('{"type":"ready"}');
        out('not json at all');
        out('{"type":"partial","utterance":1}');
        out('{"type":"final","utterance":1,"text":"x","words":[{"word":"x","start":-1,"end":1,"confidence":2}],"start":0,"end":1}');
        out('{"type":"partial","utterance":1,"text":"' + 'a'.repeat(400000) + '"}');
        out('{"type":"error","message":"something odd"}');
        out('{"type":"final","utterance":1,"text":"hello","words":[{"word":"hello","start":0.5,"end":0.9,"confidence":0.8}],"start":0.5,"end":0.9}');
        setTimeout(() => {}, 60000);`),
    });
    const results = collect(engine);
    await until('the valid final', () => results.length >= 1);
    await new Promise((r) => setTimeout(r, 200));
    expect(results).toEqual([{ kind: 'final', utterance: 1, text: 'hello', words: [{ word: 'hello', start: 0.5, end: 0.9, confidence: 0.8 }], start: 0.5, end: 0.9 }]);
  });

  it('an engine that keeps dying right after ready is given up: one CAPTIONS_UNAVAILABLE error', async () => {
    const engine = await start({
      command: nodeEngine(`out('{"type":"ready"}'); setTimeout(() => process.exit(1), 20);`),
      restartDelayMs: { first: 10, max: 40 },
      maxFailedRestarts: 2,
    });
    const errors: SpacecraftError[] = [];
    engine.events.on('error', (e) => errors.push(e));
    await until('the engine to give up', () => engine.closed);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.code).toBe('CAPTIONS_UNAVAILABLE');
    expect(errors[0]!.message).toContain('keeps failing');
  });

  it('passes addWord and flush to the engine on fd 3, and the vocabulary again after a restart', async () => {
    // The engine echoes each control line back as a final whose text is the control line's type and word.
    const script = `
      out('{"type":"ready"}');
      const fs = require('node:fs');
      const control = fs.createReadStream(null, { fd: 3 });
      let n = 0, buffered = '';
      control.on('data', (chunk) => {
        buffered += chunk;
        let i;
        while ((i = buffered.indexOf('\\n')) >= 0) {
          const line = JSON.parse(buffered.slice(0, i)); buffered = buffered.slice(i + 1);
          const text = line.type + (line.word ? ' ' + line.word + ' ' + line.phones : '');
          out(JSON.stringify({ type: 'final', utterance: ++n, text, words: [], start: 0, end: 0 }));
        }
      });
      process.stdin.resume();`;
    const engine = await start({ command: nodeEngine(script), vocabulary: [{ word: 'Spacecraft', phones: 'S P EY S K R AE F T' }], restartDelayMs: { first: 10, max: 40 } });
    const results = collect(engine);
    for (const [word, phones] of [['two words', 'T UW'], ['', 'T UW'], ['x(2)', 'EH K S'], ['<s>', 'S'], ['a'.repeat(65), 'EY'], ['ok', 'z ao'], ['ok', ''], ['ok', 'Z AO\n{"type":"flush"}']] as const) {
      expect(() => engine.addWord(word, phones), `${word} / ${phones}`).toThrow(ValidationError);
    }
    engine.addWord('Zorblax', ' Z AO1 R  B L AE0 K S ');
    engine.flush();
    await until('three control lines', () => results.length >= 3);
    expect(results.map((r) => r.text)).toEqual(['addWord Spacecraft S P EY S K R AE F T', 'addWord Zorblax Z AO R B L AE K S', 'flush']);
    let restarted = false;
    engine.events.on('restarted', () => (restarted = true));
    process.kill(engine.pid!, 'SIGKILL');
    await until('the restart', () => restarted);
    await until('the vocabulary again', () => results.length >= 5);
    expect(results.slice(3).map((r) => r.text)).toEqual(['addWord Spacecraft S P EY S K R AE F T', 'addWord Zorblax Z AO R B L AE K S']);
    expect(results[3]!.utterance).toBeGreaterThan(results[2]!.utterance);
  });
});

describe('splitCommandLine', () => {
  it('splits on whitespace with quotes and escapes', () => {
    expect(splitCommandLine('  /opt/engine  -hmm "/my models/en"  --x=\'a b\' c\\ d ')).toEqual(['/opt/engine', '-hmm', '/my models/en', '--x=a b', 'c d']);
    expect(splitCommandLine('a "" b')).toEqual(['a', '', 'b']);
    expect(splitCommandLine('')).toEqual([]);
    expect(() => splitCommandLine('engine "unclosed')).toThrow(SpacecraftError);
  });
});
