import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Nest's DI reads constructor types from decorator metadata; Vite's Oxc transform emits it only when asked.
  oxc: {
    decorator: { legacy: true, emitDecoratorMetadata: true },
  },
  // The testing kit's own tests import it by its package name, as users do.
  resolve: {
    alias: {
      'nestjs-endpoints-auth/testing': fileURLToPath(new URL('./lib/testing/index.ts', import.meta.url)),
      'nestjs-endpoints-auth/ws': fileURLToPath(new URL('./lib/websockets/ws/index.ts', import.meta.url)),
      'nestjs-endpoints-auth/socket.io': fileURLToPath(new URL('./lib/websockets/socket.io/index.ts', import.meta.url)),
    },
  },
  test: {
    include: ['test/**/*.spec.ts', 'lib/**/*.spec.ts'],
    pool: 'forks',
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
});
