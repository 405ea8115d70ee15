/**
 * The billing web app's build: React through Vite's own JSX transform (no Babel plugin needed), output
 * in web/dist, which the local stack serves at / and the CDK app uploads to the site bucket.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  logLevel: 'warn',
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', sourcemap: false, chunkSizeWarningLimit: 600 },
  oxc: { jsx: { runtime: 'automatic' } },
});
