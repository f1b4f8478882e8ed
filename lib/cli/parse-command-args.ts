import { type ParseArgsConfig, parseArgs } from 'node:util';
import { UsageError } from './usage-error.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** The parsed options of a command, or `help` when `--help`/`-h` was given (the other options are not checked then). */
export type ParsedCommandArgs<T extends Options> =
  | { help: true }
  | { help: false; values: ReturnType<typeof parseArgs<{ options: T; strict: true }>>['values']; positionals: string[] };

/**
 * `node:util` `parseArgs` in strict mode, with `--help` on every command; its errors (an unknown option, a missing
 * value, a stray positional) become a `UsageError` that names the command's help. `positionals` is how many positional
 * arguments the command takes (0 unless told). An argument is never quoted back: a token pasted in the wrong place
 * must not reach the terminal, a log or the shell's scrollback a second time.
 */
export function parseCommandArgs<T extends Options>(command: string, args: string[], options: T, positionals = 0): ParsedCommandArgs<T> {
  // --help wins over everything else, as users expect from `cmd --bad --help`.
  if (args.includes('--help') || args.includes('-h')) return { help: true };
  const help = `Run "endpoints-auth ${command} --help" for the options.`;
  let parsed: { values: unknown; positionals: string[] };
  try {
    parsed = parseArgs({ args, options, strict: true, allowPositionals: positionals > 0 });
  } catch (error) {
    throw new UsageError(`${describeParseError(error, args)}\n${help}`);
  }
  if (parsed.positionals.length > positionals) {
    throw new UsageError(`${command} takes ${positionals === 0 ? 'no' : `at most ${positionals}`} argument${positionals === 1 ? '' : 's'} besides its options, got ${parsed.positionals.length}\n${help}`);
  }
  if (parsed.positionals.some(looksLikeToken)) {
    throw new UsageError(`an argument looks like a token; tokens are read from standard input (endpoints-auth verify < token.txt), never from the command line\n${help}`);
  }
  return { help: false, values: parsed.values, positionals: parsed.positionals } as ParsedCommandArgs<T>;
}

/** `parseArgs`'s message without the argument it quotes; an option's own name is kept when it looks like one. */
function describeParseError(error: unknown, args: string[]): string {
  const code = (error as { code?: string }).code;
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') return 'this command takes no arguments besides its options';
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const option = args.find((arg) => arg.startsWith('-') && (error as Error).message.includes(`'${arg.split('=')[0]}'`));
    const name = option?.split('=')[0];
    return name && /^--?[A-Za-z][A-Za-z0-9-]{0,40}$/.test(name) ? `unknown option ${name}` : 'an unknown option';
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const name = /'(--?[A-Za-z][A-Za-z0-9-]{0,40})/.exec((error as Error).message)?.[1];
    // A flag (--json) given a value (--json=yes) is told so, not that its value is of the wrong kind.
    if (name && (error as Error).message.includes('does not take an argument')) return `option ${name} takes no value`;
    return name ? `option ${name} needs a value of its kind` : 'an option has a value it does not take';
  }
  return 'the arguments cannot be read';
}

/** A compact JWS (three base64url segments, the first a JSON object's): what a misplaced token looks like. */
function looksLikeToken(arg: string): boolean {
  return /^eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$/.test(arg.replace(/^Bearer\s+/i, ''));
}

/** The value of a required string option, or a `UsageError` naming it. */
export function required(value: string | undefined, option: string, command: string): string {
  if (value === undefined || value === '') throw new UsageError(`${command}: ${option} is required`);
  return value;
}

/** An integer option within bounds, or a `UsageError`; `undefined` when it was not given. */
export function integerOption(value: string | undefined, option: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (value.trim() === '' || !Number.isInteger(number) || number < min || number > max) {
    // The value is not quoted: a token pasted after the wrong option must not be echoed.
    throw new UsageError(`${option} must be a whole number from ${min} to ${max}`);
  }
  return number;
}

/** The spec file, given as `--spec <file>` or as the one argument (`endpoints-auth check openapi.yaml`), not both. */
export function specPathOf(option: string | undefined, positionals: readonly string[], command: string): string {
  if (option !== undefined && positionals.length > 0) throw new UsageError(`${command}: give the spec once, as --spec <file> or as the argument`);
  return required(option ?? positionals[0], 'a spec file (the argument or --spec)', command);
}
