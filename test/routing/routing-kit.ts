/**
 * Helpers for the routing-attack suite: requests written byte for byte on a socket (so the request target is exactly
 * what an attacker sends), handlers that say who ran and which user they saw, and a summary of what happened to one
 * request target with no token, a token of the wrong definition and a token of the right one.
 */
import { connect } from 'node:net';
import {
  type CallHandler,
  type ExecutionContext,
  type INestApplication,
  Module,
  type ModuleMetadata,
  type NestInterceptor,
} from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { type Observable, tap } from 'rxjs';
import { EndpointsAuthModule, type JwtClaims, type RouteSecurity } from '../../lib/index.js';
import type { Issuers } from '../fixtures/issuers.js';
import type { tokensOf } from '../requirements/requirements-kit.js';
import { type AdapterName, type FastifyAdapterOptions, startAppWith } from '../support/app.js';

/** What every handler of the suite answers: its own name, the issuer of the user it saw (`null`: none), its params. */
export interface Seen {
  handler: string;
  iss: string | null;
  params: Record<string, unknown>;
}

/** The body a handler returns; `params` as the router decoded them (Express hands a wildcard over as an array). */
export function seen(handler: string, user: JwtClaims | undefined, params: Record<string, unknown> = {}): Seen {
  return { handler, iss: typeof user?.iss === 'string' ? user.iss : null, params: { ...params } };
}

/** Copies `handler` and `iss` into response headers, so that a HEAD (no body) still says who ran and for whom. */
class SeenHeaders implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(
      tap((body: Partial<Seen> | undefined) => {
        if (!body || typeof body.handler !== 'string') return;
        const response = context.switchToHttp().getResponse<{ header(name: string, value: string): unknown }>();
        response.header('x-handler', body.handler);
        response.header('x-iss', body.iss ?? '-');
      }),
    );
  }
}

/** One app: the module's controllers and imports under `EndpointsAuthModule.forRoot({ spec })`. */
export interface RoutingApp {
  spec: object;
  metadata: Pick<ModuleMetadata, 'controllers' | 'imports'>;
  fastify?: FastifyAdapterOptions;
  configure?: (app: INestApplication) => void;
}

/** Boots a routing app on `adapter`, with the interceptor that reports the handler in headers. */
export async function bootRouting(adapter: AdapterName, { spec, metadata, fastify, configure }: RoutingApp) {
  @Module({
    imports: [EndpointsAuthModule.forRoot({ spec }), ...(metadata.imports ?? [])],
    controllers: metadata.controllers ?? [],
    providers: [{ provide: APP_INTERCEPTOR, useClass: SeenHeaders }],
  })
  class RoutingModule {}
  return startAppWith(RoutingModule, adapter, { fastify, configure });
}

/** A response read off the socket. */
export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: any;
}

/**
 * Writes `METHOD target HTTP/1.1` exactly as given (fragments, absolute-form, raw percent-encoding and case survive;
 * fetch and http.request would normalise or refuse them) and reads the whole answer.
 */
export function rawRequest(base: string, target: string, options: { method?: string; headers?: Record<string, string> } = {}): Promise<RawAnswer> {
  const { hostname, port } = new URL(base);
  const head = [`${options.method ?? 'GET'} ${target} HTTP/1.1`, `Host: ${hostname}:${port}`];
  for (const [name, value] of Object.entries(options.headers ?? {})) head.push(`${name}: ${value}`);
  head.push('Connection: close');
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(Number(port), hostname, () => socket.write(`${head.join('\r\n')}\r\n\r\n`));
    socket.setTimeout(5_000, () => socket.destroy(new Error(`no answer to ${options.method ?? 'GET'} ${target}`)));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', () => {
      try {
        resolve(parseAnswer(Buffer.concat(chunks)));
      } catch (error) {
        reject(error);
      }
    });
    // Only the request line goes into an error: the headers may hold a token.
    socket.on('error', (error) => reject(new Error(`${options.method ?? 'GET'} ${target}: ${error.message}`)));
  });
}

function parseAnswer(raw: Buffer): RawAnswer {
  const end = raw.indexOf('\r\n\r\n');
  if (end === -1) throw new Error('incomplete response');
  const [statusLine, ...lines] = raw.subarray(0, end).toString('latin1').split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let payload = raw.subarray(end + 4);
  if (/chunked/i.test(headers['transfer-encoding'] ?? '')) payload = dechunk(payload);
  const text = payload.toString('utf8');
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: Number(statusLine.split(' ')[1]), headers, body };
}

function dechunk(payload: Buffer): Buffer {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset < payload.length) {
    const lineEnd = payload.indexOf('\r\n', offset);
    const size = parseInt(payload.subarray(offset, lineEnd).toString('latin1'), 16);
    if (!size) break;
    parts.push(payload.subarray(lineEnd + 2, lineEnd + 2 + size));
    offset = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

/** What one request came to: `401`, `404`, ... or `handler:who` (`open` when the handler saw no user). */
export type Outcome = string;

/** What a request target came to with no token, with a token of `wrong` and with a token of `right`. */
export interface Outcomes {
  none: Outcome;
  wrong: Outcome;
  right: Outcome;
}

/** The route needs `right`'s token: refused without one or with the other's, and `handler` sees `right`'s user with it. */
export const guarded = (handler: string, right = 'beta'): Outcomes => ({ none: '401', wrong: '401', right: `${handler}:${right}` });
/** Nothing is checked: `handler` runs with no user, whatever token comes along. */
export const open = (handler: string): Outcomes => ({ none: `${handler}:open`, wrong: `${handler}:open`, right: `${handler}:open` });
/** The router sends the target nowhere (no handler runs), with or without a token. */
export const unrouted = (status = '404'): Outcomes => ({ none: status, wrong: status, right: status });

/** Sends request targets to one app with each token and says what came of it. */
export class Prober {
  private readonly names: Map<string, string>;
  private readonly tokenOf: Record<'alpha' | 'beta', string>;

  constructor(
    private readonly url: string,
    issuers: Issuers,
    tokens: ReturnType<typeof tokensOf>,
  ) {
    this.names = new Map([
      [issuers.alpha.issuer, 'alpha'],
      [issuers.beta.issuer, 'beta'],
    ]);
    this.tokenOf = { alpha: tokens.alpha(), beta: tokens.beta() };
  }

  /** One request: `401`, `404`... or `handler:who` (`who`: `open`, `alpha`, `beta`, or the unknown issuer). */
  async one(target: string, token?: 'alpha' | 'beta', method = 'GET'): Promise<Outcome> {
    const headers: Record<string, string> = token ? { authorization: `Bearer ${this.tokenOf[token]}` } : {};
    const answer = await rawRequest(this.url, target, { method, headers });
    const handler = typeof answer.body?.handler === 'string' ? answer.body.handler : answer.headers['x-handler'];
    if (answer.status >= 300 || handler === undefined) return String(answer.status);
    const iss = method === 'HEAD' ? answer.headers['x-iss'] : answer.body.iss;
    const who = iss === null || iss === '-' ? 'open' : (this.names.get(iss) ?? `unknown ${iss}`);
    return `${handler}:${who}`;
  }

  /** The three outcomes of `target`: the `right` definition's token is beta unless told. */
  async outcomes(target: string, { method = 'GET', right = 'beta' as 'alpha' | 'beta' } = {}): Promise<Outcomes> {
    const wrong = right === 'beta' ? 'alpha' : 'beta';
    const [none, wrongAnswer, rightAnswer] = await Promise.all([
      this.one(target, undefined, method),
      this.one(target, wrong, method),
      this.one(target, right, method),
    ]);
    return { none, wrong: wrongAnswer, right: rightAnswer };
  }

  /**
   * The outcomes of every target of `cases`, as one object to compare with the expected one (a failure shows every
   * target that differs at once).
   */
  async all(cases: Record<string, Outcomes>, options: { method?: string; right?: 'alpha' | 'beta' } = {}): Promise<Record<string, Outcomes>> {
    const targets = Object.keys(cases);
    const answers = await Promise.all(targets.map((target) => this.outcomes(target, options)));
    return Object.fromEntries(targets.map((target, index) => [target, answers[index]]));
  }
}

/** A route table row reduced to what a reader checks: method, path, handler, source and the definitions accepted. */
export function tableRows(rows: RouteSecurity[]) {
  return rows.map(({ method, path, handler, source, requirement }) => ({
    method,
    path,
    handler,
    source,
    providers: requirement?.providers ?? [],
  }));
}
