import { createRequire } from 'node:module';

/**
 * What the installed Fastify adapter does differently between Nest majors: the repository tests on Nest 12, the
 * matrix (.ci/matrix.sh) on Nest 11, whose @nestjs/platform-fastify 11 pins an older fastify (5.11.3, Nest 12's 5.12).
 * Either way a request the router does not route never reaches a handler: these change 404s and 400s, not decisions.
 */

const require = createRequire(import.meta.url);

/** The major version of the installed @nestjs/platform-fastify. */
export const PLATFORM_FASTIFY_MAJOR = Number((require('@nestjs/platform-fastify/package.json') as { version: string }).version.split('.')[0]);

/**
 * Whether Fastify refuses an absolute-form target with a fragment (400 before routing) and reads its scheme in any
 * case: Nest 12's fastify does; Nest 11's routes `http://h/p#x` to /p and `HTTP://h/p` nowhere (404).
 */
export const FASTIFY_STRICT_ABSOLUTE_FORM = PLATFORM_FASTIFY_MAJOR >= 12;

/**
 * Whether `@All()` serves the methods Fastify does not know by default (PROPFIND, ...): Nest 12's adapter adds them at
 * start; Nest 11's adds a method only for a route that declares it, so `@All()` does not answer PROPFIND (404).
 */
export const FASTIFY_ALL_SERVES_EXTRA_METHODS = PLATFORM_FASTIFY_MAJOR >= 12;
