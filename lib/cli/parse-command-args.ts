import { type ParseArgsConfig, parseArgs } from 'node:util';
import { UsageError } from './usage-error.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** The parsed options of a command, or `help` when `--help`/`-h` was given (the other options are not checked then). */
export type ParsedCommandArgs<T extends Options> = { help: true } | { help: false; values: ReturnType<typeof parseArgs<{ options: T; strict: true }>>['values'] };

/**
 * `node:util` `parseArgs` in strict mode, with `--help` on every command; its errors (an unknown option, a missing
 * value, a stray positional) become a `UsageError` that names the command's help.
 */
export function parseCommandArgs<T extends Options>(command: string, args: string[], options: T): ParsedCommandArgs<T> {
  // --help wins over everything else, as users expect from `cmd --bad --help`.
  if (args.includes('--help') || args.includes('-h')) return { help: true };
  try {
    const { values } = parseArgs({ args, options, strict: true, allowPositionals: false });
    return { help: false, values } as ParsedCommandArgs<T>;
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\nRun "endpoints-auth ${command} --help" for the options.`);
  }
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
    throw new UsageError(`${option} must be a whole number from ${min} to ${max}, got "${value}"`);
  }
  return number;
}
