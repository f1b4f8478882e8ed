import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Nest's DI reads constructor types from decorator metadata; Vite's Oxc transform emits it only when asked.
  oxc: {
    decorator: { legacy: true, emitDecoratorMetadata: true },
  },
  // The testing kit's own tests import it by its package name, as users do.
  resolve: {
    alias: [
      { find: 'nestjs-endpoints-auth/testing', replacement: fileURLToPath(new URL('./lib/testing/index.ts', import.meta.url)) },
      { find: 'nestjs-endpoints-auth/ws', replacement: fileURLToPath(new URL('./lib/websockets/ws/index.ts', import.meta.url)) },
      { find: 'nestjs-endpoints-auth/socket.io', replacement: fileURLToPath(new URL('./lib/websockets/socket.io/index.ts', import.meta.url)) },
      // graphql has no `exports`: Node (and so the drivers) loads its CommonJS `main`, Vite its `module` build, a
      // second copy whose GraphQLError fails the drivers' `instanceof`. One copy, as in a built app.
      { find: /^graphql$/, replacement: fileURLToPath(new URL('./node_modules/graphql/index.js', import.meta.url)) },
    ],
  },
  test: {
    include: ['test/**/*.spec.ts', 'lib/**/*.spec.ts'],
    pool: 'forks',
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
});
