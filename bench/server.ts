// The app under load: Nest 12 + Express (or Fastify, argv[3]), one `GET /hello` answering a small JSON, guarded as the mode says
// (argv[2], see modes.ts). Forked by run.ts with an IPC channel: it reports its port when listening, and answers
// { type: 'stats' } with its own CPU time, memory and the library's counters. Never logs a request or a token.
import 'reflect-metadata';
import { type CanActivate, Controller, Get, Injectable, Module, type Type } from '@nestjs/common';
import { APP_GUARD, NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { AuthGuard, PassportModule, PassportStrategy } from '@nestjs/passport';
import { passportJwtSecret } from 'jwks-rsa';
import type { AddressInfo } from 'node:net';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { EndpointsAuthCounters, EndpointsAuthModule } from '../lib/index.js';
import { manyRoutes } from './many-routes.js';
import { type ModeSpec, modeNamed } from './modes.js';
import { AUDIENCE, ISSUER, benchSpec } from './tokens.js';

/** Messages from this process to run.ts. */
export type ServerMessage =
  | { type: 'ready'; port: number; pid: number }
  | {
      type: 'stats';
      /** `process.cpuUsage()`, µs (all threads of the process). */
      cpuUserUs: number;
      cpuSystemUs: number;
      rss: number;
      tokens?: { hits: number; misses: number };
      keys?: { fetches: number; failures: number; unknownKidRefetches: number };
    };

const mode = modeNamed(process.argv[2] ?? 'none');
/** The HTTP platform (argv[3]): Express unless `fastify`. */
const platform = process.argv[3] === 'fastify' ? 'fastify' : 'express';
const jwksUri = process.env['BENCH_JWKS_URI'] ?? '';
if (mode.guard === 'canonical' || mode.guard === 'library') {
  if (!jwksUri.startsWith('http://127.0.0.1:')) throw new Error('BENCH_JWKS_URI must name the key server on 127.0.0.1');
}

@Controller()
class HelloController {
  @Get('hello')
  hello() {
    return { hello: 'world', ok: true };
  }
}

@Injectable()
class NoopGuard implements CanActivate {
  canActivate(): boolean {
    return true;
  }
}

/** Busy for BENCH_SPIN_US µs of wall time on every request (the `spin` mode: a calibrated amount of guard work). */
@Injectable()
class SpinGuard implements CanActivate {
  private readonly ms = Number(process.env['BENCH_SPIN_US'] ?? '3') / 1000;

  canActivate(): boolean {
    const end = performance.now() + this.ms;
    while (performance.now() < end);
    return true;
  }
}

// ---- canonical: the Nest docs' JWT recipe with the keys from a JWKS through jwks-rsa, as written there --------------

@Injectable()
class JwtStrategy extends PassportStrategy(Strategy) {
  constructor() {
    super({
      secretOrKeyProvider: passportJwtSecret({ cache: true, rateLimit: true, jwksRequestsPerMinute: 5, jwksUri }),
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      audience: AUDIENCE,
      issuer: ISSUER,
      algorithms: ['RS256'],
    });
  }

  validate(payload: unknown): unknown {
    return payload;
  }
}

@Injectable()
class JwtAuthGuard extends AuthGuard('jwt') {}

// ---- this library: the run's key server as the spec's x-google-jwks_uri -------------------------------------------

function appModule(spec: ModeSpec): Type<unknown> {
  const imports: NonNullable<Parameters<typeof Module>[0]['imports']> = [];
  const providers: NonNullable<Parameters<typeof Module>[0]['providers']> = [];
  if (spec.guard === 'noop') providers.push({ provide: APP_GUARD, useClass: NoopGuard });
  if (spec.guard === 'spin') providers.push({ provide: APP_GUARD, useClass: SpinGuard });
  if (spec.guard === 'canonical') {
    imports.push(PassportModule);
    providers.push(JwtStrategy, { provide: APP_GUARD, useClass: JwtAuthGuard });
  }
  if (spec.guard === 'library') {
    imports.push(
      EndpointsAuthModule.forRoot({ spec: benchSpec(jwksUri, spec.routes ?? 0), ...(spec.tokenCache ? {} : { tokenCache: false }) }),
    );
  }
  const controllers: Type<unknown>[] = [HelloController];
  if (spec.routes) controllers.push(manyRoutes(spec.routes));

  @Module({ imports, controllers, providers })
  class BenchAppModule {}
  return BenchAppModule;
}

async function main(): Promise<void> {
  const logger: ['error', 'warn'] = ['error', 'warn'];
  const app =
    platform === 'fastify'
      ? await NestFactory.create(appModule(mode), new FastifyAdapter(), { logger })
      : await NestFactory.create(appModule(mode), { logger });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  const counters = mode.guard === 'library' ? app.get(EndpointsAuthCounters) : undefined;

  process.on('message', (message: { type?: string }) => {
    if (message?.type === 'stats') {
      const cpu = process.cpuUsage();
      send({
        type: 'stats',
        cpuUserUs: cpu.user,
        cpuSystemUs: cpu.system,
        rss: process.memoryUsage.rss(),
        tokens: counters?.tokens(),
        keys: counters?.keys('bench'),
      });
    }
    // A clean exit, so `--cpu-prof` writes its profile.
    if (message?.type === 'stop') void app.close().finally(() => process.exit(0));
  });
  send({ type: 'ready', port, pid: process.pid });
}

function send(message: ServerMessage): void {
  process.send?.(message);
}

process.on('disconnect', () => process.exit(0));
// A hard stop: a lost server never outlives a benchmark.
setTimeout(() => process.exit(0), 15 * 60 * 1000).unref();
main().catch((error: unknown) => {
  console.error(`bench server (${mode.name}) failed:`, error instanceof Error ? error.message : error);
  process.exit(1);
});
