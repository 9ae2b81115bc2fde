/**
 * Errors that cross a boundary (HTTP, WebSocket, IPC). Each has a stable `code`;
 * over the wire only `{ code, message, details? }` travels, and the UI maps the
 * code to a sentence. Pure TypeScript: the renderer may import this module.
 */

export const ERROR_CODES = [
  'VALIDATION',
  'MESSAGE_TOO_LARGE',
  'MALFORMED_MESSAGE',
  'UNKNOWN_METHOD',
  'NOT_FOUND',
  'PERMISSION_DENIED',
  'NOT_ELIGIBLE',
  'LIMIT_EXCEEDED',
  'RATE_LIMITED',
  'INVALID_STATE',
  'SPACE_ENDED',
  'UNAVAILABLE',
  'INTERNAL',
  // Ticketed Spaces (issue #9).
  'SOLD_OUT',
  'SALES_CLOSED',
  'TICKET_REQUIRED',
  'PAYMENTS_UNAVAILABLE',
  'PAYMENT_FAILED',
  // Live captions (issue #10): the caption engine cannot run; the Space goes on without captions.
  'CAPTIONS_UNAVAILABLE',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export type WireError = { code: ErrorCode; message: string; details?: unknown };

export class SpacecraftError extends Error {
  readonly code: ErrorCode;
  readonly details: unknown;

  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = 'SpacecraftError';
    this.code = code;
    this.details = details;
  }

  toWire(): WireError {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

export class ValidationError extends SpacecraftError {
  constructor(message: string, details?: unknown) {
    super('VALIDATION', message, details);
    this.name = 'ValidationError';
  }
}

export class NotFoundError extends SpacecraftError {
  constructor(message: string) {
    super('NOT_FOUND', message);
    this.name = 'NotFoundError';
  }
}

export class PermissionError extends SpacecraftError {
  constructor(message: string) {
    super('PERMISSION_DENIED', message);
    this.name = 'PermissionError';
  }
}

export class InvalidStateError extends SpacecraftError {
  constructor(message: string, code: 'INVALID_STATE' | 'SPACE_ENDED' = 'INVALID_STATE') {
    super(code, message);
    this.name = 'InvalidStateError';
  }
}

/** Every seat of a ticketed Space is sold or held by an unfinished checkout. */
export class SoldOutError extends SpacecraftError {
  constructor(message = 'Sold out: every ticket for this Space is taken.') {
    super('SOLD_OUT', message);
    this.name = 'SoldOutError';
  }
}

/** A typed error received from the other side of a boundary, thrown on this side. */
export class ReceivedError extends Error {
  readonly code: ErrorCode;
  readonly details: unknown;

  constructor(error: WireError) {
    super(error.message);
    this.name = 'ReceivedError';
    this.code = error.code;
    this.details = error.details;
  }
}

/** Any thrown value as a wire error; unknown errors never leak their internals. */
export function toWireError(error: unknown): WireError {
  if (error instanceof SpacecraftError) return error.toWire();
  return { code: 'INTERNAL', message: 'Something went wrong on the server.' };
}

/** Issues of a zod error as short `path: message` lines, for `details`. */
export function describeIssues(issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>): string[] {
  return issues.map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`);
}
