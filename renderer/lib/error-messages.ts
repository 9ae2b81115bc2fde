/** Every error code, as a sentence for the person in front of the screen. */
import type { ErrorCode } from '../../server/errors.ts';

const SENTENCES: Record<ErrorCode, string> = {
  VALIDATION: 'Something in that request was not right.',
  MESSAGE_TOO_LARGE: 'That was too much data to send at once.',
  MALFORMED_MESSAGE: 'The server could not read that message.',
  UNKNOWN_METHOD: 'The server does not know how to do that; it may be a different version.',
  NOT_FOUND: 'That could not be found.',
  PERMISSION_DENIED: 'You are not allowed to do that.',
  NOT_ELIGIBLE: 'Your account needs more followers to host.',
  LIMIT_EXCEEDED: 'That is more than one connection may have; close something first.',
  RATE_LIMITED: 'Too many attempts; wait a moment and try again.',
  INVALID_STATE: 'That cannot be done right now.',
  SPACE_ENDED: 'This Space has ended.',
  UNAVAILABLE: 'The server cannot be reached right now.',
  INTERNAL: 'Something went wrong. Please try again.',
  SOLD_OUT: 'Sold out: every ticket for this Space is taken.',
  SALES_CLOSED: 'Ticket sales for this Space are not open.',
  TICKET_REQUIRED: 'This Space needs a ticket to listen.',
  PAYMENTS_UNAVAILABLE: 'Ticket sales need Stripe to be connected on this server.',
  PAYMENT_FAILED: 'The payment service did not answer as expected. Please try again.',
  CAPTIONS_UNAVAILABLE: 'Captions are not available right now; the Space goes on without them.',
};

/** The error's own message when it has a code (it is already written for people), else a sentence for the code. */
export function describeError(error: unknown): string {
  if (error && typeof error === 'object' && 'code' in error) {
    const code = (error as { code: unknown }).code as ErrorCode;
    const message = (error as { message?: unknown }).message;
    return typeof message === 'string' && message ? message : (SENTENCES[code] ?? SENTENCES.INTERNAL);
  }
  if (error instanceof DOMException && error.name === 'NotAllowedError') return 'Spacecraft may not use the microphone. Allow it and try again.';
  if (error instanceof DOMException && error.name === 'NotFoundError') return 'No microphone was found.';
  return SENTENCES.INTERNAL;
}
