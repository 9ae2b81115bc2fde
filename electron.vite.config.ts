import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';

// Our folders differ from electron-vite's src/ defaults, so every entry is set here.
// The bundled server is a second main-process entry: Electron runs it in a utilityProcess.
export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rollupOptions: {
        input: { index: resolve('electron/main/index.ts'), server: resolve('server/main.ts') },
      },
    },
  },
  preload: {
    // CommonJS, so the window can keep sandbox: true.
    build: {
      outDir: 'out/preload',
      // A sandboxed preload cannot require() packages: bundle everything but electron.
      externalizeDeps: false,
      rollupOptions: { input: { index: resolve('electron/preload/index.ts') }, output: { format: 'cjs', entryFileNames: '[name].cjs' } },
    },
  },
  renderer: {
    root: 'renderer/studio',
    plugins: [react()],
    build: { outDir: 'out/renderer', rollupOptions: { input: { index: resolve('renderer/studio/index.html') } } },
  },
});
