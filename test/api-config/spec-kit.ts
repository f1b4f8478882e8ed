/** Helpers for the spec-loading e2e tests: start-up failures, captured logs, temporary spec files. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication, LoggerService, ModuleMetadata } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import type { AdapterName } from '../support/app.js';

/** A Nest logger that keeps every line it is given, so a test can read start-up warnings. */
export class CapturingLogger implements LoggerService {
  readonly lines: { level: string; message: string; context?: string }[] = [];

  log(message: unknown, context?: string) {
    this.keep('log', message, context);
  }
  warn(message: unknown, context?: string) {
    this.keep('warn', message, context);
  }
  error(message: unknown, ...rest: unknown[]) {
    this.keep('error', message, typeof rest[rest.length - 1] === 'string' ? (rest[rest.length - 1] as string) : undefined);
  }
  debug(message: unknown, context?: string) {
    this.keep('debug', message, context);
  }
  verbose(message: unknown, context?: string) {
    this.keep('verbose', message, context);
  }

  /** The messages logged at `level`. */
  messages(level: string): string[] {
    return this.lines.filter((line) => line.level === level).map((line) => line.message);
  }

  private keep(level: string, message: unknown, context?: string) {
    this.lines.push({ level, message: String(message), context });
  }
}

/**
 * Compiles and initialises an app from `metadata` (Express, no socket) and returns the error it fails with;
 * throws when the app starts, so a test expecting a start-up failure fails if there is none.
 */
export async function startupError(metadata: ModuleMetadata): Promise<Error> {
  let app: INestApplication | undefined;
  try {
    const moduleRef = await Test.createTestingModule(metadata).compile();
    app = moduleRef.createNestApplication(new ExpressAdapter(), { logger: false });
    await app.init();
  } catch (error) {
    await app?.close().catch(() => undefined);
    if (error instanceof Error) return error;
    throw error;
  }
  await app.close();
  throw new Error('expected the app to fail at start-up, but it started');
}

/** Compiles, initialises and closes an app from `metadata` (Express, no socket); rejects if any step fails. */
export async function startsCleanly(metadata: ModuleMetadata): Promise<void> {
  const moduleRef = await Test.createTestingModule(metadata).compile();
  const app = moduleRef.createNestApplication(new ExpressAdapter(), { logger: false });
  try {
    await app.init();
  } finally {
    await app.close();
  }
}

/**
 * Boots `metadata` on the named adapter, listening on 127.0.0.1; `logger` receives every line logged from
 * compilation on (start-up warnings of the spec are logged while the module compiles).
 */
export async function startWith(
  metadata: ModuleMetadata,
  adapter: AdapterName,
  logger: LoggerService | false = false,
): Promise<{ app: INestApplication; url: string }> {
  const builder = Test.createTestingModule(metadata);
  if (logger) builder.setLogger(logger);
  const moduleRef = await builder.compile();
  const app =
    adapter === 'fastify'
      ? moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), { logger })
      : moduleRef.createNestApplication(new ExpressAdapter(), { logger });
  try {
    await app.listen(0, '127.0.0.1');
  } catch (error) {
    await app.close().catch(() => undefined);
    throw error;
  }
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1').replace('localhost', '127.0.0.1');
  return { app, url };
}

/** A temporary folder under the OS temp dir for spec files; `remove()` deletes it and everything in it. */
export class TempDir {
  readonly path = mkdtempSync(join(tmpdir(), 'endpoints-auth-spec-'));

  /** Writes `text` to `name` in the folder and returns its absolute path. */
  write(name: string, text: string): string {
    const file = join(this.path, name);
    writeFileSync(file, text);
    return file;
  }

  /** The absolute path `name` would have in the folder (the file need not exist). */
  file(name: string): string {
    return join(this.path, name);
  }

  remove(): void {
    rmSync(this.path, { recursive: true, force: true });
  }
}

