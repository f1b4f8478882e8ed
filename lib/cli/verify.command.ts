import { AuthError } from '../errors/auth-error.js';
import type { EndpointsProvider } from '../interfaces/provider.interface.js';
import { SpecError } from '../api-config/spec-error.js';
import { parseJwt } from '../token/parse-jwt.js';
import type { Command, CommandIo } from './command.interface.js';
import { explainRejection } from '../errors/explain-rejection.js';
import { loadSpec } from './load-spec.js';
import { LogCollector } from './log-collector.js';
import { integerOption, parseCommandArgs, specPathOf } from './parse-command-args.js';
import { readToken } from './read-token.js';
import { TokenVerifier } from './token-verifier.js';
import { EXIT, UsageError } from './usage-error.js';
import { type VerifyVerdict, verdictAsJson, verdictAsText } from './verify-verdict.js';

const USAGE = `Usage: endpoints-auth verify <file> | --spec <file> [options] < token.txt

Checks the token on stdin as the module would (keys fetched from each definition's
key URL): accepted, it prints the definition and the token's claims (stdout); refused,
ESP's message, the errorCode and the reason in plain words (stderr). The token is never
printed.

Options:
  --spec <file>            the YAML or JSON spec (or give it as the argument)
  --definition <name>      check against this definition only (default: every one;
                           the token's iss picks the definition, as in the module)
  --audience <aud>         accept this audience instead of the definitions' own
                           (repeatable)
  --clock-skew <seconds>   tolerance for exp, nbf and iat (default 60)
  --service-name <name>    the serviceName option (default: the spec's host or name)
  --fetch-timeout <ms>     how long a key fetch may take (default 5000)
  --json                   the answer as one line of JSON on stdout, either way: keys
                           accepted (true), definition, issuer, claims; or accepted
                           (false), status, errorCode, message, reason. Bad arguments
                           and a spec that does not load stay text on stderr
  -h, --help               this help

Exit codes: 0 accepted, 1 refused (or the spec does not load), 2 bad arguments or
nothing on stdin.`;

const OPTIONS = {
  spec: { type: 'string' },
  definition: { type: 'string' },
  audience: { type: 'string', multiple: true },
  'clock-skew': { type: 'string' },
  'service-name': { type: 'string' },
  'fetch-timeout': { type: 'string' },
  json: { type: 'boolean' },
} as const;

/** The start of the key store's warning about a failed fetch; the reason follows it. */
const FETCH_FAILURE = /^keys of "(.*)" could not be fetched: (.*?); (?:the previous keys|requests get)/;

/** `endpoints-auth verify`: the module's answer for one token, with the reason when it is a refusal. */
export const verifyCommand: Command = {
  name: 'verify',
  summary: 'check a token on stdin against a spec, as the module would',
  usage: USAGE,
  async run(args: string[], io: CommandIo): Promise<number> {
    const parsed = parseCommandArgs('verify', args, OPTIONS, 1);
    if (parsed.help) return io.out(`${USAGE}\n`), EXIT.ok;
    const { values, positionals } = parsed;
    const path = specPathOf(values.spec, positionals, 'verify');
    const clockSkewSeconds = integerOption(values['clock-skew'], '--clock-skew', 0, 3600);
    const fetchTimeoutMs = integerOption(values['fetch-timeout'], '--fetch-timeout', 1, 600_000);
    if (values.audience?.some((entry) => entry.trim() === '')) throw new UsageError('--audience must not be empty');
    const logs = new LogCollector().install();
    let verifier: TokenVerifier;
    let candidates: EndpointsProvider[];
    try {
      const loaded = loadSpec({
        spec: path,
        serviceName: values['service-name'],
        clockSkewSeconds,
        tokenCache: false,
        keyCache: { fetchTimeoutMs },
        // A token is checked here, not an API key: a spec whose security asks for keys loads all the same.
        apiKeys: 'unchecked',
      });
      candidates = candidatesOf([...loaded.spec.providers.values()], values.definition);
      verifier = new TokenVerifier(loaded);
    } catch (error) {
      if (!(error instanceof SpecError)) throw error;
      io.err(`error: ${error.message}\n`);
      return EXIT.refused;
    }
    let token: string;
    try {
      token = await readToken(process.stdin, io.err);
    } catch (error) {
      // The key stores started fetching when the verifier was built: stop their timers before the usage error.
      verifier.close();
      throw error;
    }
    let verdict: VerifyVerdict;
    try {
      const { provider, claims } = await verifier.verify(token, candidates.map((candidate) => candidate.name), values.audience);
      verdict = { accepted: true, definition: provider.name, issuer: provider.issuer, claims };
    } catch (error) {
      if (!(error instanceof AuthError)) throw error;
      const jwt = readable(token, verifier);
      const reason = explainRejection(error, {
        jwt,
        candidates,
        audiences: values.audience,
        clockSkewSeconds: clockSkewSeconds ?? 60,
        nowSeconds: Math.floor(Date.now() / 1000),
        keysOf: (name) => verifier.registry.get(name).keys.current(),
        fetchFailureOf: (name) => logs.messages('warn').map((line) => FETCH_FAILURE.exec(line)).find((match) => match?.[1] === name)?.[2],
      });
      verdict = { accepted: false, status: error.status, errorCode: error.code, message: error.message, reason };
    } finally {
      verifier.close();
    }
    // With --json the answer is stdout's one document either way; in text a refusal goes to stderr, as errors do.
    if (values.json) io.out(verdictAsJson(verdict));
    else if (verdict.accepted) io.out(verdictAsText(verdict, Math.floor(Date.now() / 1000)));
    else io.err(verdictAsText(verdict, Math.floor(Date.now() / 1000)));
    return verdict.accepted ? EXIT.ok : EXIT.refused;
  },
};

/** The definitions to check: all of them, or the one named by `--definition` (which must exist). */
function candidatesOf(providers: EndpointsProvider[], name: string | undefined): EndpointsProvider[] {
  if (name === undefined) return providers;
  const found = providers.find((provider) => provider.name === name);
  if (found) return [found];
  const names = providers.map((provider) => `"${provider.name}"`).join(', ');
  throw new UsageError(`--definition "${name}" is not a JWT definition of the spec; its definitions: ${names}`);
}

/** The token as the strict reader reads it, for the explanation; `undefined` when it cannot be read. */
function readable(token: string, verifier: TokenVerifier): ReturnType<typeof parseJwt> | undefined {
  try {
    return parseJwt(token, verifier.maxTokenBytes);
  } catch {
    return undefined;
  }
}
