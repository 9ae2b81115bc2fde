/** Saves a Space's transcript: main fetches it from the studio's server (IPC), the page saves it as a file. */
export async function exportTranscript(spaceId: string, format: 'vtt' | 'srt'): Promise<void> {
  const { name, text } = await window.studio.captions.transcript({ spaceId, format });
  const url = URL.createObjectURL(new Blob([text], { type: format === 'vtt' ? 'text/vtt' : 'application/x-subrip' }));
  try {
    const link = document.createElement('a');
    link.href = url;
    link.download = name;
    link.click();
  } finally {
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }
}
