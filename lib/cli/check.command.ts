import { ApiKeysNeededError, operationsNeedingApiKey } from '../api-keys/apply-api-keys-setting.js';
import type { ResolvedSpec } from '../api-config/resolved-spec.js';
import { SpecError } from '../api-config/spec-error.js';
import { insecureKeyUrls } from '../dev-keys/check-key-urls.js';
import { redactUrl } from '../keys/key-loader.js';
import type { Command, CommandIo } from './command.interface.js';
import { type ApiKeysMode, describeApiKey } from './describe-api-key.js';
import { describeDefinition } from './describe-definition.js';
import { describeReplacedAudiences } from './describe-replaced-audiences.js';
import { loadSpec } from './load-spec.js';
import { LogCollector } from './log-collector.js';
import { parseCommandArgs, specPathOf } from './parse-command-args.js';
import { specKind } from './spec-kind.js';
import { EXIT, UsageError } from './usage-error.js';

const USAGE = `Usage: endpoints-auth check <file> | --spec <file> [--service-name <name>] [--api-keys <mode>]

Loads a spec (OpenAPI 2 or 3 with x-google-* security definitions, or a gRPC service
configuration) as the module does at start-up, and lists its JWT definitions: issuer,
where the keys come from, audiences and token locations; its API-key definitions; the
audiences a requirement puts in place of a definition's own (x-security); then every warning, and the start-up error if there is one (the module's message).

Options:
  --spec <file>          the YAML or JSON file (or give it as the argument)
  --service-name <name>  the serviceName option (default: the spec's host or name)
  --api-keys <mode>      the apiKeys option: "validate" (the app passes a validator) or
                         "unchecked"; without it, a spec whose security asks for an API
                         key does not load, as the module does not start
  -h, --help             this help

Exit codes: 0 the spec loads, 1 it does not, 2 bad arguments.`;

const OPTIONS = {
  spec: { type: 'string' },
  'service-name': { type: 'string' },
  'api-keys': { type: 'string' },
} as const;

/** `endpoints-auth check`: what the module would make of a spec, and every problem it would report. */
export const checkCommand: Command = {
  name: 'check',
  summary: 'load a spec and list its definitions, key sources, audiences and problems',
  usage: USAGE,
  async run(args: string[], io: CommandIo): Promise<number> {
    const parsed = parseCommandArgs('check', args, OPTIONS, 1);
    if (parsed.help) return io.out(`${USAGE}\n`), EXIT.ok;
    const path = specPathOf(parsed.values.spec, parsed.positionals, 'check');
    const mode = apiKeysMode(parsed.values['api-keys']);
    const logs = new LogCollector().install();
    try {
      // Any validator stands for the app's: the spec loads the same whatever it answers.
      const apiKeys = mode === 'validate' ? { validate: () => false } : mode;
      const { spec } = loadSpec({ spec: path, serviceName: parsed.values['service-name'], apiKeys });
      const lines = [`${path}: ${specKind(path)}`, `definitions (${spec.providers.size}):`];
      for (const provider of spec.providers.values()) {
        const inferred = logs.messages('log').some((line) => line.includes(`"${provider.name}": no `) && line.includes("service account's certificates"));
        lines.push(...describeDefinition(provider, inferred));
      }
      for (const name of spec.nonJwt) {
        const locations = spec.apiKeys?.get(name);
        lines.push(locations ? describeApiKey(name, locations, mode) : `  ${name}: not a JWT definition (no issuer); ignored, as ESP ignores it`);
      }
      lines.push(...describeReplacedAudiences(spec));
      const keyed = operationsNeedingApiKey(spec);
      if (keyed.length > 0) lines.push(`API key required on: ${keyed.join(', ')}`);
      lines.push(...warnings(logs, productionWarnings(spec)), 'ok: the spec loads');
      io.out(`${lines.join('\n')}\n`);
      return EXIT.ok;
    } catch (error) {
      if (!(error instanceof SpecError)) throw error;
      const lines = [...warnings(logs), `error: ${error.message}`];
      if (error instanceof ApiKeysNeededError) lines.push('hint: add --api-keys validate or --api-keys unchecked to check the spec as an app with that option loads it');
      io.err(`${lines.join('\n')}\n`);
      return EXIT.refused;
    }
  },
};

function warnings(logs: LogCollector, extra: readonly string[] = []): string[] {
  const found = [...logs.messages('warn'), ...logs.messages('error'), ...extra];
  return found.length === 0 ? ['warnings: none'] : [`warnings (${found.length}):`, ...found.map((line) => `  ${line}`)];
}

/**
 * The definitions whose key URLs would stop the module's start-up under `NODE_ENV=production` (this spec loaded, so
 * it is not production here): development key URLs, said before they are deployed.
 */
function productionWarnings(spec: ResolvedSpec): string[] {
  return insecureKeyUrls(spec).map(
    ({ name, url, reason }) => `"${name}": keys at ${redactUrl(url)} (${reason}): with NODE_ENV=production the module refuses to start unless allowInsecureKeyUrls is true`,
  );
}

function apiKeysMode(value: string | undefined): ApiKeysMode {
  if (value === undefined || value === 'validate' || value === 'unchecked') return value;
  // The value is not quoted back: the command line may hold what should never be echoed.
  throw new UsageError('--api-keys must be "validate" or "unchecked"');
}
