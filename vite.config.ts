import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

/**
 * The renderer build. Output goes to dist/renderer, served by the app:// protocol in Electron and
 * by the preview host elsewhere. Relative base so both hosts serve the same files.
 */
export default defineConfig({
  root: fileURLToPath(new URL('./renderer', import.meta.url)),
  base: './',
  oxc: { jsx: { runtime: 'automatic', importSource: 'react' } },
  build: {
    outDir: fileURLToPath(new URL('./dist/renderer', import.meta.url)),
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 2000,
    target: 'chrome130',
    rollupOptions: {
      onwarn(warning, warn) {
        // Fluent UI ships 'use client' directives meant for server components; harmless here.
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
        warn(warning);
      },
    },
  },
});
