import { readServiceAccountKey } from '../client/service-account-key.js';
import { signServiceAccountJwt } from '../client/sign-service-account-jwt.js';
import type { Command, CommandIo } from './command.interface.js';
import { integerOption, parseCommandArgs, required } from './parse-command-args.js';
import { EXIT, UsageError } from './usage-error.js';

const USAGE = `Usage: endpoints-auth token --key-file <json> --audience <aud> [options]

Signs a service-account JWT with the key file the Cloud console downloads, as the
Endpoints samples' generate_jwt script does (RS256, kid = the key id, iss = sub =
the account's email, aud, iat, exp), and prints it on stdout.

Options:
  --key-file <json>      the service account's JSON key file (required)
  --audience <aud>       the aud claim: one of the callee's audiences, e.g.
                         https://SERVICE_NAME (required)
  --issuer <iss>         iss and sub (default: the account's email)
  --lifetime <seconds>   seconds from iat to exp (default 3600, Google's maximum)
  -h, --help             this help

Exit codes: 0 the token is printed, 2 bad arguments or an unusable key file.`;

const OPTIONS = {
  'key-file': { type: 'string' },
  audience: { type: 'string' },
  issuer: { type: 'string' },
  lifetime: { type: 'string' },
} as const;

/** `endpoints-auth token`: a service-account JWT from a key file, through the library's own signer. */
export const tokenCommand: Command = {
  name: 'token',
  summary: 'sign a service-account JWT with a key file',
  usage: USAGE,
  async run(args: string[], io: CommandIo): Promise<number> {
    const parsed = parseCommandArgs('token', args, OPTIONS);
    if (parsed.help) return io.out(`${USAGE}\n`), EXIT.ok;
    const { values } = parsed;
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
