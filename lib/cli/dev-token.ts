import { SpecError } from '../api-config/spec-error.js';
import { definitionClaims } from '../minting/definition-claims.js';
import { signJwt } from '../minting/sign-jwt.js';
import type { CommandIo } from './command.interface.js';
import { loadDevSpec, pickDevDefinition } from './dev-definitions.js';
import { DEFAULT_DEV_DIR, readDevIssuerState } from './dev-issuer-state.js';
import { LogCollector } from './log-collector.js';
import { integerOption } from './parse-command-args.js';
import { parseClaims } from './parse-claims.js';
import { EXIT, UsageError } from './usage-error.js';

/** The options of `token --issuer dev`, as `parseArgs` gives them. */
export interface DevTokenOptions {
  definition?: string;
  spec?: string;
  dir?: string;
  claim?: string[];
  subject?: string;
  audience?: string;
  lifetime?: string;
  expired?: boolean;
  'service-name'?: string;
}

/** How long past the clock skew an `--expired` token expired: far enough that no clock drift lets it pass. */
const EXPIRED_BY_SECONDS = 3600;

/** A minted token's lifetime when `--lifetime` is not given (an hour, as Google's ID tokens). */
const DEFAULT_LIFETIME_SECONDS = 3600;

/**
 * `token --issuer dev`: a token signed with the dev issuer's key for one definition of the spec (its issuer, first
 * audience and a subject, overridden by the options), printed alone on stdout. Returns the exit code.
 */
export function mintDevToken(options: DevTokenOptions, io: CommandIo): number {
  if (options.expired && options.lifetime !== undefined) {
    throw new UsageError(`--expired and --lifetime do not go together: an expired token's exp is fixed (an hour past the clock skew)`);
  }
  const lifetimeSeconds = integerOption(options.lifetime, '--lifetime', 1, 10 * 365 * 24 * 3600) ?? DEFAULT_LIFETIME_SECONDS;
  for (const name of ['definition', 'spec', 'dir', 'subject', 'audience', 'service-name'] as const) {
    if (options[name] === '') throw new UsageError(`--${name} must not be empty`);
  }
  const claims = parseClaims(options.claim ?? []);
  const dir = options.dir ?? DEFAULT_DEV_DIR;
  const state = readDevIssuerState(dir);
  if (!state) {
    const where = options.dir === undefined ? '' : ` --dir ${options.dir}`;
    throw new UsageError(`no dev issuer key in ${dir}: run endpoints-auth dev-issuer${where} first`);
  }
  const specPath = options.spec ?? state.spec;
  if (specPath === undefined) throw new UsageError('no spec: give --spec <file>, or start endpoints-auth dev-issuer with --spec');
  // The spec's warnings (and the module's warning about ENDPOINTS_AUTH_DEV_JWKS_URI) must not mix with the token.
  new LogCollector().install();
  let loaded: ReturnType<typeof loadDevSpec>;
  try {
    loaded = loadDevSpec(specPath, options['service-name']);
  } catch (error) {
    if (!(error instanceof SpecError)) throw error;
    return io.err(`error: ${error.message}\n`), EXIT.refused;
  }
  const provider = pickDevDefinition(loaded.spec, options.definition);
  const overrides = {
    ...(options.subject === undefined ? {} : { sub: options.subject }),
    ...(options.audience === undefined ? {} : { aud: options.audience }),
    ...claims,
  };
  const now = Math.floor(Date.now() / 1000);
  // Expired: issued two lifetimes ago, so exp lies EXPIRED_BY_SECONDS past the skew the app allows by default.
  const payload = options.expired
    ? definitionClaims(provider, overrides, now - loaded.settings.clockSkewSeconds - EXPIRED_BY_SECONDS - DEFAULT_LIFETIME_SECONDS, DEFAULT_LIFETIME_SECONDS)
    : definitionClaims(provider, overrides, now, lifetimeSeconds);
  io.out(`${signJwt(payload, { key: state.key.privateKey, kid: state.key.kid })}\n`);
  return EXIT.ok;
}
