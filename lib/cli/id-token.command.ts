import { MetadataServerTokenSource } from '../client/metadata-server-token-source.js';
import type { Command, CommandIo } from './command.interface.js';
import { parseCommandArgs, required } from './parse-command-args.js';
import { EXIT } from './usage-error.js';

const USAGE = `Usage: endpoints-auth id-token --audience <aud> [--metadata-host <host:port>]

Asks the metadata server (Cloud Run, GKE, GCE, Cloud Functions) for a Google-signed
ID token of the instance's service account with aud = <aud> (on Cloud Run, the
callee's URL), and prints it on stdout.

Options:
  --audience <aud>             the aud claim of the token (required)
  --metadata-host <host:port>  the metadata server (default: GCE_METADATA_HOST,
                               else metadata.google.internal)
  -h, --help                   this help

Exit codes: 0 the token is printed, 1 no token (no metadata server, or it refused),
2 bad arguments.`;

const OPTIONS = {
  audience: { type: 'string' },
  'metadata-host': { type: 'string' },
} as const;

/** `endpoints-auth id-token`: a Google-signed ID token from the metadata server, through the library's token source. */
export const idTokenCommand: Command = {
  name: 'id-token',
  summary: 'get a Google-signed ID token from the metadata server',
  usage: USAGE,
  async run(args: string[], io: CommandIo): Promise<number> {
    const parsed = parseCommandArgs('id-token', args, OPTIONS);
    if (parsed.help) return io.out(`${USAGE}\n`), EXIT.ok;
    const audience = required(parsed.values.audience, '--audience', 'id-token');
    const host = parsed.values['metadata-host'];
    const source = new MetadataServerTokenSource(host === undefined || host === '' ? {} : { host });
    try {
      io.out(`${await source.getToken(audience)}\n`);
      return EXIT.ok;
    } catch (error) {
      io.err(`error: ${(error as Error).message}\n`);
      return EXIT.refused;
    }
  },
};
