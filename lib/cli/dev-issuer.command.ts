import { join } from 'node:path';
import { SpecError } from '../api-config/spec-error.js';
import { DEV_JWKS_URI_ENV } from '../dev-keys/dev-jwks-uri.js';
import type { EndpointsProvider } from '../interfaces/provider.interface.js';
import { SigningKey } from '../minting/signing-key.js';
import { placeToken } from '../minting/token-placement.js';
import type { Command, CommandIo } from './command.interface.js';
import { fetchedDefinitions, loadDevSpec } from './dev-definitions.js';
import { DEFAULT_DEV_DIR, DEV_STATE_FILE, readDevIssuerState, writeDevIssuerState } from './dev-issuer-state.js';
import { PortInUseError, serveDevJwks } from './dev-key-server.js';
import { LogCollector } from './log-collector.js';
import { integerOption, parseCommandArgs } from './parse-command-args.js';
import { EXIT, UsageError } from './usage-error.js';

/** The port the dev issuer listens on unless told: one no common dev server takes. */
export const DEFAULT_DEV_PORT = 8399;

const USAGE = `Usage: endpoints-auth dev-issuer [--spec <file>] [--port <port>] [--dir <dir>]

A token issuer for local development. Loads its RSA key from <dir>/${DEV_STATE_FILE} (or
makes one, readable by you only, in a directory git ignores), serves the public key as a
JWKS on http://127.0.0.1:<port>/jwks.json, and prints how to point an app at it: start
the app with ${DEV_JWKS_URI_ENV} set to that URL, and every definition whose keys
are fetched takes its keys from here, keeping its issuer and audiences. Then mint tokens
with "endpoints-auth token --issuer dev". Runs until Ctrl-C (SIGINT) or SIGTERM. An app
started with NODE_ENV=production refuses ${DEV_JWKS_URI_ENV}.

Options:
  --spec <file>          the app's spec: its definitions are listed, and tokens are
                         minted for them (recorded for "token --issuer dev" and the
                         next start; default: the recorded one)
  --service-name <name>  the serviceName option, when the app sets one
  --port <port>          the port on 127.0.0.1 (default ${DEFAULT_DEV_PORT}; 0 picks a free one)
  --dir <dir>            where the key and the state are kept (default ${DEFAULT_DEV_DIR})
  -h, --help             this help

Exit codes: 0 stopped by a signal, 1 the port is in use or the spec does not load,
2 bad arguments.`;

const OPTIONS = {
  spec: { type: 'string' },
  'service-name': { type: 'string' },
  port: { type: 'string' },
  dir: { type: 'string' },
} as const;

/** `endpoints-auth dev-issuer`: serves a persistent development key on 127.0.0.1 until stopped. */
export const devIssuerCommand: Command = {
  name: 'dev-issuer',
  summary: 'serve a local development issuer\'s keys on 127.0.0.1',
  usage: USAGE,
  async run(args: string[], io: CommandIo): Promise<number> {
    const parsed = parseCommandArgs('dev-issuer', args, OPTIONS);
    if (parsed.help) return io.out(`${USAGE}\n`), EXIT.ok;
    const { values } = parsed;
    const port = integerOption(values.port, '--port', 0, 65535) ?? DEFAULT_DEV_PORT;
    const dir = values.dir ?? DEFAULT_DEV_DIR;
    if (dir === '') throw new UsageError('--dir must not be empty');
    if (values.spec === '') throw new UsageError('--spec must not be empty');
    // The spec's warnings are the app's to print; here they would bury the instructions.
    new LogCollector().install();
    const previous = readDevIssuerState(dir);
    // A restart without --spec keeps serving the spec the last run recorded.
    const spec = values.spec ?? previous?.spec;
    let definitions: EndpointsProvider[] | undefined;
    if (spec !== undefined) {
      try {
        definitions = fetchedDefinitions(loadDevSpec(spec, values['service-name']).spec);
      } catch (error) {
        if (!(error instanceof SpecError)) throw error;
        return io.err(`error: ${error.message}\n`), EXIT.refused;
      }
    }
    const key = previous?.key ?? SigningKey.generate();
    let server: Awaited<ReturnType<typeof serveDevJwks>>;
    try {
      server = await serveDevJwks(key.publicJwk(), port);
    } catch (error) {
      if (!(error instanceof PortInUseError)) throw error;
      return io.err(`error: ${error.message}\n`), EXIT.refused;
    }
    // Written once the port is had: a failed start leaves the previous state (and the key) as it was.
    try {
      writeDevIssuerState(dir, { key, jwksUri: server.url, spec });
    } catch (error) {
      // A directory refused (or unwritable) must not leave the key served with the process still running.
      await server.close();
      throw error;
    }
    const stopped = untilSignal();
    io.out(instructions({ url: server.url, dir, kid: key.kid, spec, definitions }));
    await stopped;
    await server.close();
    io.err('endpoints-auth dev-issuer: stopped\n');
    return EXIT.ok;
  },
};

/** What the dev issuer prints once it listens: the URL, how to point an app at it, and a token line per definition. */
function instructions(state: { url: string; dir: string; kid: string; spec?: string; definitions?: EndpointsProvider[] }): string {
  const dirOption = state.dir === DEFAULT_DEV_DIR ? '' : ` --dir ${shellWord(state.dir)}`;
  const lines = [
    `endpoints-auth dev-issuer: serving key ${state.kid} (kept in ${join(state.dir, DEV_STATE_FILE)}) at`,
    `  ${state.url}`,
    '',
  ];
  const definitions = state.definitions;
  if (definitions !== undefined && definitions.length === 0) {
    lines.push(`No definition of ${state.spec} fetches its keys (each has its key written in the spec), so none takes this key.`, '');
  }
  const named = definitions && definitions.length > 0 ? ` (${definitions.map((provider) => `"${provider.name}"`).join(', ')})` : '';
  lines.push(
    `Start the app with every definition whose keys are fetched${named} taking them from here:`,
    `  export ${DEV_JWKS_URI_ENV}=${state.url}`,
    `or point one definition at it in a spec overlay: x-google-jwks_uri: ${state.url}`,
    '',
    'Mint a token (add --claim name=value, --subject, --audience, --lifetime <s> or --expired):',
  );
  if (definitions === undefined) lines.push(`  npx endpoints-auth token --issuer dev --spec <file>${dirOption}`);
  for (const provider of definitions ?? []) {
    lines.push(`  npx endpoints-auth token --issuer dev --definition ${shellWord(provider.name)}${dirOption}`, `    sent as ${describePlacement(provider)}`);
  }
  lines.push('', 'Stop with Ctrl-C; the key is kept, so tokens and the keys an app has cached stay valid after a restart.');
  return `${lines.join('\n')}\n`;
}

/**
 * Where the definition reads a token first, as a caller sends it: `Authorization: Bearer <token>`, `?access_token=<token>`
 * or `cookie: <name>=<token>`.
 */
function describePlacement(provider: EndpointsProvider): string {
  const placed = placeToken(provider, '<token>');
  if ('query' in placed) return `?${placed.query}=${placed.value}`;
  if ('cookie' in placed) return `cookie: ${placed.cookie}=${placed.value}`;
  return `${placed.header}: ${placed.value}`;
}

/** A word a POSIX shell reads back as written: single-quoted unless it is plain. */
function shellWord(word: string): string {
  return /^[\w./:@=+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Resolves on the first SIGINT or SIGTERM; the handlers keep Node from exiting on the signal, so the server closes cleanly. */
function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
