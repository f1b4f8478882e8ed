import { readServiceAccountKey } from '../client/service-account-key.js';
import { signServiceAccountJwt } from '../client/sign-service-account-jwt.js';
import { DEV_JWKS_URI_ENV } from '../dev-keys/dev-jwks-uri.js';
import type { Command, CommandIo } from './command.interface.js';
import { DEFAULT_DEV_DIR } from './dev-issuer-state.js';
import { mintDevToken } from './dev-token.js';
import { integerOption, parseCommandArgs, required } from './parse-command-args.js';
import { EXIT, UsageError } from './usage-error.js';

const USAGE = `Usage: endpoints-auth token --key-file <json> --audience <aud> [options]
       endpoints-auth token --issuer dev [--definition <name>] [dev options]

Signs a service-account JWT with the key file the Cloud console downloads, as the
Endpoints samples' generate_jwt script does (RS256, kid = the key id, iss = sub =
the account's email, aud, iat, exp), and prints it on stdout.

With --issuer dev, signs with the key of "endpoints-auth dev-issuer" instead, for a
definition of the spec it was started with: iss = the definition's issuer, aud = its
first audience, sub = test-user, iat, exp; an app started with
${DEV_JWKS_URI_ENV} accepts it.

Options:
  --key-file <json>      the service account's JSON key file (required without
                         --issuer dev)
  --audience <aud>       the aud claim: one of the callee's audiences, e.g.
                         https://SERVICE_NAME (required with --key-file; with
                         --issuer dev, the definition's first audience by default)
  --issuer <iss>         iss and sub (default: the account's email); "dev" for the
                         dev issuer
  --lifetime <seconds>   seconds from iat to exp (default 3600, Google's maximum
                         with a key file)
  -h, --help             this help

Options with --issuer dev:
  --definition <name>    the definition (default: the spec's only one whose keys
                         are fetched)
  --claim <name=value>   a claim, repeatable; a value that parses as JSON (true, 42,
                         ["a"], {"k":1}) is that JSON, any other a string; it may
                         replace iss, sub, aud, iat or exp
  --subject <sub>        the sub claim (default test-user)
  --expired              a token that expired an hour past the clock skew (not with
                         --lifetime)
  --spec <file>          the spec (default: the one dev-issuer was started with)
  --service-name <name>  the serviceName option, when the app sets one
  --dir <dir>            the dev issuer's directory (default ${DEFAULT_DEV_DIR})

Exit codes: 0 the token is printed, 1 the spec does not load, 2 bad arguments, an
unusable key file or no dev issuer key.`;

const OPTIONS = {
  'key-file': { type: 'string' },
  audience: { type: 'string' },
  issuer: { type: 'string' },
  lifetime: { type: 'string' },
  definition: { type: 'string' },
  claim: { type: 'string', multiple: true },
  subject: { type: 'string' },
  expired: { type: 'boolean' },
  spec: { type: 'string' },
  'service-name': { type: 'string' },
  dir: { type: 'string' },
} as const;

/** The options that mean something only with `--issuer dev`. */
const DEV_ONLY = ['definition', 'claim', 'subject', 'expired', 'spec', 'service-name', 'dir'] as const;

/**
 * `endpoints-auth token`: a service-account JWT from a key file, through the library's own signer; or, with
 * `--issuer dev`, a token of the dev issuer for a definition of the spec.
 */
export const tokenCommand: Command = {
  name: 'token',
  summary: 'sign a service-account JWT with a key file, or a dev issuer token',
  usage: USAGE,
  async run(args: string[], io: CommandIo): Promise<number> {
    const parsed = parseCommandArgs('token', args, OPTIONS);
    if (parsed.help) return io.out(`${USAGE}\n`), EXIT.ok;
    const { values } = parsed;
    if (values.issuer === 'dev') {
      if (values['key-file'] !== undefined) {
        throw new UsageError('--issuer dev signs with the dev issuer\'s key: drop --key-file (to set iss with a key file, give --issuer another value)');
      }
      return mintDevToken(values, io);
    }
    const misplaced = DEV_ONLY.find((name) => values[name] !== undefined);
    if (misplaced !== undefined) throw new UsageError(`--${misplaced} goes with --issuer dev`);
    const keyFile = required(values['key-file'], '--key-file', 'token');
    const audience = required(values.audience, '--audience', 'token');
    const lifetimeSeconds = integerOption(values.lifetime, '--lifetime', 1, Number.MAX_SAFE_INTEGER);
    if (values.issuer === '') throw new UsageError('--issuer must not be empty');
    // Both throw with a message naming the file or the option, never quoting the key.
    const token = asUsageError(() =>
      signServiceAccountJwt(readServiceAccountKey(keyFile), { audience, issuer: values.issuer, lifetimeSeconds }),
    );
    io.out(`${token}\n`);
    return EXIT.ok;
  },
};

function asUsageError<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}
