/**
 * The page's own file picker (where the app's open dialog is not, i.e. browser mode, and for pad
 * clips): an input that hands over the one file chosen and forgets it, so the same file can be
 * chosen again. `hidden` for one a button clicks through its ref.
 */
import type { Ref } from 'react';

/** What the studio takes as audio: the browser's audio types and the usual file endings. */
export const AUDIO_FILES = 'audio/*,.wav,.mp3,.ogg,.oga,.opus,.flac,.m4a,.aac,.webm';

export function SingleFileInput(props: { ref?: Ref<HTMLInputElement>; accept: string; label: string; hidden?: boolean; onFile: (file: File) => void }) {
  return (
    <input
      ref={props.ref}
      type="file"
      hidden={props.hidden}
      accept={props.accept}
      aria-label={props.label}
      onChange={(e) => {
        const file = e.target.files?.[0];
        e.target.value = '';
        if (file) props.onFile(file);
      }}
    />
  );
}
