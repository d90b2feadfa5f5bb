import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    // No public source maps by default: they publish the app's whole source next to it. Set
    // MARQUEE_WEB_SOURCEMAP=1 to build them (for debugging a production build).
    sourcemap: process.env.MARQUEE_WEB_SOURCEMAP === '1',
    chunkSizeWarningLimit: 1024,
  },
  server: { proxy: { '/api': 'http://127.0.0.1:8080' } },
});
