import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The listener page: a plain web page served by the server under /s/<spaceId>.
export default defineConfig({
  root: 'renderer/listener',
  base: '/listen/',
  plugins: [react()],
  // mediasoup-client + React + zod: ~550 kB (~140 kB gzipped), loaded once per listener.
  build: { outDir: '../../out/listener', emptyOutDir: true, chunkSizeWarningLimit: 800 },
});
