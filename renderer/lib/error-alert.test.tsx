// @vitest-environment happy-dom
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorAlert } from './error-alert.tsx';

afterEach(cleanup);

describe('an error said where a screen reader hears it', () => {
  it('shows nothing without an error', () => {
    const { container } = render(<ErrorAlert error={null} />);
    expect(container.innerHTML).toBe('');
  });

  it('says a coded error in words, as a paragraph', () => {
    render(<ErrorAlert error={{ code: 'RATE_LIMITED' }} />);
    const alert = screen.getByRole('alert');
    expect([alert.tagName, alert.className, alert.textContent]).toEqual(['P', 'error', 'Too many attempts; wait a moment and try again.']);
  });

  it('goes inside a row as a span with its own class, with the error’s own message', () => {
    render(<ErrorAlert error={{ code: 'LIMIT_EXCEEDED', message: 'The stage is full.' }} as="span" className="member-error" />);
    const alert = screen.getByRole('alert');
    expect([alert.tagName, alert.className, alert.textContent]).toEqual(['SPAN', 'error member-error', 'The stage is full.']);
  });
});
