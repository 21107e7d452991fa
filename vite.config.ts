import { fileURLToPath } from 'node:url';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [svelte()],
  // tus-js-client's only use of url-parse is resolving an upload's address; the browser's URL does it far cheaper.
  resolve: {
    alias: { 'url-parse': fileURLToPath(new URL('./src/upload/url-parse-native.ts', import.meta.url)) },
  },
  worker: { format: 'es' },
  build: { target: 'es2022', sourcemap: true },
  server: { port: 5173 },
});
