/**
 * A failed action said in words (describeError) where a screen reader announces it at once
 * (role="alert"); nothing while there is no error. A paragraph under a panel, or `as="span"`
 * inside a row (a stage member's, a request's).
 */
import { describeError } from './error-messages.ts';

export function ErrorAlert({ error, as: Tag = 'p', className }: { error: unknown; as?: 'p' | 'span'; className?: string }) {
  if (!error) return null;
  return (
    <Tag className={className ? `error ${className}` : 'error'} role="alert">
      {describeError(error)}
    </Tag>
  );
}
