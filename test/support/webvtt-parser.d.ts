/** Types for `webvtt-parser` (it ships none): the parts the transcript tests use. */
declare module 'webvtt-parser' {
  export type WebVttNode = { type: string; name?: string; value?: string; classes?: string[]; children?: WebVttNode[] };
  export type WebVttCue = { id: string; startTime: number; endTime: number; text: string; tree: { children: WebVttNode[] } };
  export type WebVttTree = { cues: WebVttCue[]; errors: Array<{ message: string; line: number; col: number }> };
  export class WebVTTParser {
    /** `entities`: the named character references to decode (the package's html-entities.json for all of them). */
    constructor(entities?: unknown);
    parse(input: string, mode?: 'metadata' | 'chapters'): WebVttTree;
  }
}
