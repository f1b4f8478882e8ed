import type { INestApplication, Type } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { ENDPOINTS_AUTH_KEY_CLOCK, type KeyClock } from '../../lib/keys/key-clock.js';

/** The two HTTP adapters every e2e test runs on. */
export const ADAPTERS = [
  ['express', () => new ExpressAdapter()],
  ['fastify', () => new FastifyAdapter()],
] as const;

export type AdapterName = (typeof ADAPTERS)[number][0];

/** Boots `module` on the named adapter, listening on 127.0.0.1; returns the app and its base URL. */
export async function startApp(
  module: Type<unknown> | ReturnType<typeof Object>,
  adapter: AdapterName,
  configure?: (app: INestApplication) => void,
): Promise<{ app: INestApplication; url: string }> {
  return startAppWith(module, adapter, { configure });
}

/** What `new FastifyAdapter(...)` accepts: Fastify's server options (router options, `rewriteUrl`, ...). */
export type FastifyAdapterOptions = ConstructorParameters<typeof FastifyAdapter>[0];

/**
 * `startApp` with the Fastify adapter built from `fastify` (router options such as `caseSensitive`, or `rewriteUrl`);
 * the Express adapter ignores them. `keyClock` replaces the key stores' clock (a `ManualClock` from `manual-clock.ts`).
 */
export async function startAppWith(
  module: Type<unknown> | ReturnType<typeof Object>,
  adapter: AdapterName,
  { fastify, configure, keyClock }: { fastify?: FastifyAdapterOptions; configure?: (app: INestApplication) => void; keyClock?: KeyClock },
): Promise<{ app: INestApplication; url: string }> {
  const builder = Test.createTestingModule({ imports: [module as Type<unknown>] });
  if (keyClock) builder.overrideProvider(ENDPOINTS_AUTH_KEY_CLOCK).useValue(keyClock);
  const moduleRef = await builder.compile();
  const app =
    adapter === 'fastify'
      ? moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(fastify), { logger: false })
      : moduleRef.createNestApplication(new ExpressAdapter(), { logger: false });
  configure?.(app);
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1').replace('localhost', '127.0.0.1');
  return { app, url };
}

/** A GET/POST over a real socket; returns status, headers and the parsed JSON body (or text). */
export async function call(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: unknown; signal?: AbortSignal } = {},
): Promise<{ status: number; headers: Headers; body: any }> {
  const response = await fetch(url, {
    method: options.method ?? 'GET',
    headers: { ...(options.body ? { 'content-type': 'application/json' } : {}), ...options.headers },
    body: options.body ? JSON.stringify(options.body) : undefined,
    signal: options.signal,
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, headers: response.headers, body };
}

/** `Authorization: Bearer <token>`. */
export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** Closes every app handed to `track()`, even when a test failed half-way. */
export class Apps {
  private readonly apps: INestApplication[] = [];

  track<T extends { app: INestApplication }>(started: T): T {
    this.apps.push(started.app);
    return started;
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.apps.splice(0).map((app) => app.close()));
  }
}
