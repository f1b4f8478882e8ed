/**
 * Seeded mutation fuzzing over real sockets, on Express and Fastify: valid RS256, ES256 and EdDSA tokens (fixed keys,
 * see fixed-keys.ts, served by a key server on 127.0.0.1) are mutated (see mutators.ts) and sent to routes that
 * require them, and every answer is held to four invariants the hardening issue asks for:
 *   - never a 5xx (nor a hang): a bad token is the client's fault, whatever its bytes;
 *   - never an unhandled rejection or uncaught exception while the run lasts;
 *   - never the token, nor a dot-separated piece of it longer than 16 characters, in the answer (status line,
 *     headers, body) or in any line the app logs;
 *   - a 2xx only when every token the request carries is byte-for-byte one of the originals: the mutators never
 *     re-sign, so anything else that passes is a token the library should have refused.
 *
 * `npm test` runs a short, fixed-seed slice (FUZZ_ITERATIONS, default 3000 per adapter; FUZZ_SEED, default 1);
 * `npm run fuzz` the long one. A failure is reported as { seed, caseIndex, operators, status, reason }, never with a
 * token, and replays alone with `FUZZ_SEED=<seed> FUZZ_CASE=<caseIndex> npx vitest run test/fuzz`.
 */
import { randomInt } from 'node:crypto';
import { Controller, Get, type INestApplication, Logger, Module, type Type } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { EndpointsAuthModule, Secured, UserInfo } from '../../lib/index.js';
import { ADAPTERS, type AdapterName, startApp } from '../support/app.js';
import { KeyServer } from '../support/key-server.js';
import { claims } from '../support/keys.js';
import { SERVICE, type Definition, sleep, specOf } from '../verification/verification-kit.js';
import { fixedEd25519Key, fixedP256Key, fixedRsaKey, signFixed } from './fixed-keys.js';
import { type FuzzCase, type FuzzCorpus, type Original, buildCase, mayPass, secretsOf } from './mutators.js';
import { WireClient } from './wire.js';

// ---------------------------------------------------------------------------------------------------------------
// Run parameters, all from the environment so the long run and a replay need no code change

function integerFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer`);
  return value;
}

/** `FUZZ_SEED`: a 32-bit integer (default 1, so `npm test` is deterministic), or `random` for a fresh one. */
const SEED = process.env['FUZZ_SEED'] === 'random' ? randomInt(0, 2 ** 32) : integerFromEnv('FUZZ_SEED', 1) >>> 0;
// A random seed is printed before the run, so a run that dies half-way can still be replayed.
if (process.env['FUZZ_SEED'] === 'random') console.log(`[fuzz] random seed=${SEED}`);
/** Cases per adapter. */
const ITERATIONS = integerFromEnv('FUZZ_ITERATIONS', 3000);
/** `FUZZ_CASE`: replay just this case index of the seed. */
const ONLY_CASE = process.env['FUZZ_CASE'] ? integerFromEnv('FUZZ_CASE', 0) : undefined;
/** `FUZZ_VERBOSE=1` (or a replay) prints each case's index, status and operators: never its token. */
const VERBOSE = process.env['FUZZ_VERBOSE'] === '1' || ONLY_CASE !== undefined;
/** Requests in flight: enough to interleave requests inside the library, few enough for a 2-core machine. */
const CONCURRENCY = 24;
/** The per-test timeout grows with the run: about 5 ms a case is several times what a case takes here. */
const RUN_TIMEOUT_MS = 30_000 + (ONLY_CASE === undefined ? ITERATIONS : 1) * 5;

// ---------------------------------------------------------------------------------------------------------------
// The app: three definitions, one per key type, a route for each and one accepting any of them

const ISSUERS = {
  rsa: 'https://rsa.fuzz.example.com',
  ec: 'https://ec.fuzz.example.com',
  ed: 'ed-signer@fuzz-project.iam.gserviceaccount.com',
} as const;
const RSA_AUDIENCE = 'fuzz-audience';
const SERVICE_AUDIENCE = `https://${SERVICE}`;
type Name = keyof typeof ISSUERS;
const NAMES = Object.keys(ISSUERS) as Name[];

// Fixed keys and fixed times make the originals, and so every case, the same bytes on every run.
const KEYS = { rsa: fixedRsaKey('rsa-1'), ec: fixedP256Key('ec-1'), ed: fixedEd25519Key('ed-1') };
const ISSUED_AT = 1_735_689_600; // 2025-01-01T00:00:00Z
const EXPIRES_AT = 4_102_444_800; // 2100-01-01T00:00:00Z: valid for as long as this file lives

function definitions(keyServerUrl: string): Record<Name, Definition> {
  return {
    rsa: { issuer: ISSUERS.rsa, jwksUri: `${keyServerUrl}/rsa/jwks`, audiences: RSA_AUDIENCE },
    ec: { issuer: ISSUERS.ec, jwksUri: `${keyServerUrl}/ec/jwks` },
    ed: { issuer: ISSUERS.ed, jwksUri: `${keyServerUrl}/ed/jwks` },
  };
}

/** A GET at `/<path>` that needs a token of any of `names`; it answers only the subject, never anything token-like. */
function securedController(path: string, names: [string, ...string[]]): Type<unknown> {
  @Secured(...names)
  @Controller(path)
  class FuzzController {
    @Get()
    get(@UserInfo('sub') sub: unknown) {
      return { sub };
    }
  }
  return FuzzController;
}

function fuzzModule(keyServerUrl: string): Type<unknown> {
  @Module({
    imports: [EndpointsAuthModule.forRoot({ spec: specOf(definitions(keyServerUrl)) })],
    controllers: [...NAMES.map((name) => securedController(name, [name])), securedController('any', ['rsa', 'ec', 'ed'])],
  })
  class FuzzModule {}
  return FuzzModule;
}

/** The valid tokens the fuzzer starts from: each key type, with and without `kid`, single and listed audiences. */
function makeOriginals(): Original[] {
  const times = { iat: ISSUED_AT, exp: EXPIRES_AT };
  const original = (name: Name, audience: string | string[], extra: object = {}, header: object = {}): Original => ({
    token: signFixed(KEYS[name], claims(ISSUERS[name], audience, { ...times, ...extra }), { ...header }),
    routes: [name, 'any'],
  });
  return [
    original('rsa', RSA_AUDIENCE),
    original('rsa', ['other', RSA_AUDIENCE], { email: 'a@example.com' }, { kid: undefined }),
    original('ec', SERVICE_AUDIENCE),
    original('ec', [SERVICE_AUDIENCE], { roles: ['reader'] }, { kid: undefined }),
    original('ed', SERVICE_AUDIENCE),
    original('ed', SERVICE_AUDIENCE, { nbf: ISSUED_AT - 10 }, { typ: undefined }),
  ];
}

const originals = makeOriginals();
const ORIGINALS = new Set(originals.map((original) => original.token));
const corpus: FuzzCorpus = {
  originals,
  routes: [...NAMES, 'any'],
  issuers: Object.values(ISSUERS),
  kids: Object.values(KEYS).map((key) => key.kid),
  audiences: [RSA_AUDIENCE, SERVICE_AUDIENCE, SERVICE],
};

// ---------------------------------------------------------------------------------------------------------------
// What the process says while the run lasts: the library's log lines, and faults nobody handled

const logLines: string[] = [];
const LOG_METHODS = ['log', 'error', 'warn', 'debug', 'verbose', 'fatal'] as const;

const render = (args: unknown[]) =>
  args
    .map((arg) =>
      typeof arg === 'string' ? arg : arg instanceof Error ? `${arg.message}\n${arg.stack ?? ''}` : safeJson(arg),
    )
    .join(' ');

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Long base64url-like runs are cut out of fault messages before they are kept, so a report never carries a token. */
const redact = (text: string) => text.replace(/[A-Za-z0-9_\-.=+/]{17,}/g, '<redacted>').slice(0, 200);

const faults: string[] = [];
const onFault = (kind: string) => (error: unknown) => {
  faults.push(`${kind}: ${error instanceof Error ? `${error.name}: ${redact(error.message)}` : typeof error}`);
};
const onRejection = onFault('unhandledRejection');
const onException = onFault('uncaughtException');

beforeAll(() => {
  // Installed before any app boots, so start-up lines are captured too. Nest's instance and static loggers both count:
  // the library logs through instances, Nest's exception handler through a static one.
  for (const method of LOG_METHODS) {
    vi.spyOn(Logger.prototype, method).mockImplementation((...args: unknown[]) => void logLines.push(render(args)));
    vi.spyOn(Logger, method).mockImplementation((...args: unknown[]) => void logLines.push(render(args)));
  }
  for (const method of ['error', 'warn'] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void logLines.push(render(args)));
  }
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
});

afterAll(() => {
  process.off('unhandledRejection', onRejection);
  process.off('uncaughtException', onException);
  vi.restoreAllMocks();
  // Faults after the last case (while the apps close) count too; each run already checked its own.
  expect(faults).toEqual([]);
});

// ---------------------------------------------------------------------------------------------------------------
// The run

interface FailureRecord {
  seed: number;
  caseIndex: number;
  operators: string[];
  status: number;
  reason: string;
}

const pathOf = (fuzzCase: FuzzCase) => `/${fuzzCase.route}${fuzzCase.query === undefined ? '' : `?${fuzzCase.query}`}`;

/** Runs `work` over `items` with at most `concurrency` in flight. */
async function pool<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

/** Every 17-character run of the log: a secret's first 17 characters found here is a leak of more than 16. */
function gramsOf(lines: readonly string[]): Set<string> {
  const grams = new Set<string>();
  for (const line of lines) for (let i = 0; i + 17 <= line.length; i++) grams.add(line.slice(i, i + 17));
  return grams;
}

describe.each(ADAPTERS.map(([name]) => name))('fuzzing on %s', (adapter: AdapterName) => {
  let keyServer: KeyServer;
  let app: INestApplication;
  let client: WireClient;
  let linesBeforeBoot = 0;

  beforeAll(async () => {
    linesBeforeBoot = logLines.length;
    // The key sets are fetched at start-up in the background: the server must answer before the app boots.
    keyServer = await new KeyServer().start();
    for (const name of NAMES) keyServer.jwks(`/${name}/jwks`, [KEYS[name].jwk]);
    const started = await startApp(fuzzModule(keyServer.url), adapter);
    app = started.app;
    client = new WireClient(started.url, CONCURRENCY);
  });

  afterAll(async () => {
    client?.close();
    await app?.close();
    await keyServer?.stop();
  });

  // Without this baseline a broken set-up (no keys, wrong audience, a log spy that hears nothing) would let the run
  // pass while testing nothing.
  it('accepts every original token on each route that names its issuer, with its start-up lines captured', async () => {
    const startUp = logLines.slice(linesBeforeBoot);
    expect(NAMES.filter((name) => startUp.some((line) => line.startsWith(`"${name}": issuer`)))).toEqual(NAMES);
    for (const original of originals) {
      for (const route of original.routes) {
        const answer = await client.send({ path: `/${route}`, headers: [['Authorization', `Bearer ${original.token}`]] });
        expect({ route, status: answer.status }).toEqual({ route, status: 200 });
      }
    }
  });

  it(
    `answers ${ONLY_CASE === undefined ? ITERATIONS : 1} mutated requests without a 5xx, an echo, a fault or a forged pass`,
    async () => {
      const indices = ONLY_CASE === undefined ? Array.from({ length: ITERATIONS }, (_, i) => i) : [ONLY_CASE];
      const failures: FailureRecord[] = [];
      const statuses = new Map<number, number>();
      const statusOf = new Map<number, number>();
      // First 17 characters of every secret sent → the first case that sent it; checked against the log at the end.
      const secretPrefixes = new Map<string, number>();
      const faultsBefore = faults.length;
      const started = performance.now();

      await pool(indices, CONCURRENCY, async (index) => {
        const fuzzCase = buildCase(SEED, index, corpus);
        const answer = await client.send({ path: pathOf(fuzzCase), headers: fuzzCase.headers });
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        statusOf.set(index, answer.status);
        if (VERBOSE) {
          console.log(`[fuzz] case=${index} status=${answer.status} operators=${JSON.stringify(fuzzCase.operators)}`);
        }
        const fail = (reason: string) =>
          failures.push({ seed: SEED, caseIndex: index, operators: fuzzCase.operators, status: answer.status, reason });
        if (answer.status >= 500) fail('5xx');
        if (answer.status === 0) fail('no answer within 10 s');
        // -1 (the connection failed twice before an answer) is only counted: the server may drop a connection whose
        // headers overflow; a crash of the app would show up as an uncaught exception in this same process.
        const passed = answer.status >= 200 && answer.status < 300;
        if (passed && !mayPass(fuzzCase, ORIGINALS)) fail('a mutated token was accepted');
        const secrets = secretsOf(fuzzCase);
        if (secrets.some((secret) => answer.text.includes(secret))) fail('the token is echoed in the answer');
        for (const secret of secrets) {
          const prefix = secret.slice(0, 17);
          if (!secretPrefixes.has(prefix)) secretPrefixes.set(prefix, index);
        }
      });

      // A line may be logged after its answer (a background refetch): the log is checked once the run is over.
      await sleep(100);
      const grams = gramsOf(logLines);
      for (const [prefix, index] of secretPrefixes) {
        if (!grams.has(prefix)) continue;
        const { operators } = buildCase(SEED, index, corpus);
        const status = statusOf.get(index) ?? -1;
        failures.push({ seed: SEED, caseIndex: index, operators, status, reason: 'the token is echoed in a log line' });
      }
      const elapsed = ((performance.now() - started) / 1000).toFixed(1);

      const histogram = [...statuses]
        .sort(([a], [b]) => a - b)
        .map(([status, count]) => `${status}:${count}`)
        .join(' ');
      console.log(
        `[fuzz] adapter=${adapter} seed=${SEED} iterations=${indices.length} elapsed=${elapsed}s ` +
          `statuses={${histogram}} failures=${failures.length}`,
      );
      if (failures.length > 0) {
        failures.sort((a, b) => a.caseIndex - b.caseIndex);
        for (const failure of failures.slice(0, 20)) {
          const replay = `FUZZ_SEED=${failure.seed} FUZZ_CASE=${failure.caseIndex} npx vitest run test/fuzz`;
          console.log(`[fuzz] replay: ${replay}  ${JSON.stringify(failure)}`);
        }
      }
      expect({ failures: failures.length, first: failures.slice(0, 20) }).toEqual({ failures: 0, first: [] });
      expect(faults.slice(faultsBefore)).toEqual([]);
    },
    RUN_TIMEOUT_MS,
  );
});
