// @vitest-environment happy-dom
/** The listener page's entry, loaded at a link whose percent-encoding is broken: a sentence, not a blank page. */
import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { spaceIdFromPath } from './space-link.ts';

describe('listener link', () => {
  it('reads the Space id from /s/<id>', () => {
    expect(spaceIdFromPath('/s/abc_DEF-123')).toBe('abc_DEF-123');
    expect(spaceIdFromPath('/s/caf%C3%A9')).toBe('café');
    expect(spaceIdFromPath('/s/%E0%A4%A')).toBeNull();
    expect(spaceIdFromPath('/')).toBeNull();
  });

  it('says "There is no Space at this link." for bad percent-encoding', async () => {
    window.history.replaceState(null, '', '/s/%E0%A4%A');
    document.body.innerHTML = '<div id="root"></div>';
    await import('./main.tsx');
    expect((await screen.findByRole('alert')).textContent).toBe('There is no Space at this link.');
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Space not available');
    expect((screen.getByRole('button', { name: /Listen live/ }) as HTMLButtonElement).disabled).toBe(true);
  });
});
