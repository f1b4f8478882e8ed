#!/usr/bin/env node
// endpoints-auth: the command-line tool of nestjs-endpoints-auth (check a spec, verify a token, mint tokens, a dev issuer).
// First: refuses an unsupported Node with a clear message before any dependency (jwks-rsa) is loaded.
import '../node-version.js';
import 'reflect-metadata';
import { checkCommand } from './check.command.js';
import type { Command, CommandIo } from './command.interface.js';
import { devIssuerCommand } from './dev-issuer.command.js';
import { idTokenCommand } from './id-token.command.js';
import { tokenCommand } from './token.command.js';
import { EXIT, UsageError } from './usage-error.js';
import { verifyCommand } from './verify.command.js';

const COMMANDS: readonly Command[] = [checkCommand, verifyCommand, tokenCommand, idTokenCommand, devIssuerCommand];

const USAGE = `Usage: endpoints-auth <command> [options]

Commands:
${COMMANDS.map((command) => `  ${command.name.padEnd(12)}${command.summary}`).join('\n')}

Run "endpoints-auth <command> --help" for a command's options.
Exit codes: 0 success, 1 refused (a token, a spec or a request), 2 bad arguments.`;

/** Runs one command line and returns the exit code; every error becomes a message, never a stack trace for bad input. */
async function main(argv: string[], io: CommandIo): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined) return io.err(`${USAGE}\n`), EXIT.usage;
  if (name === '--help' || name === '-h' || name === 'help') return io.out(`${USAGE}\n`), EXIT.ok;
  const command = COMMANDS.find((candidate) => candidate.name === name);
  if (!command) return io.err(`error: unknown command "${name}"\n\n${USAGE}\n`), EXIT.usage;
  try {
    return await command.run(args, io);
  } catch (error) {
    if (error instanceof UsageError) return io.err(`error: ${error.message}\n`), EXIT.usage;
    throw error;
  }
}

const io: CommandIo = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
};

main(process.argv.slice(2), io).then(
  (code) => {
    // exitCode, not exit(): output still being written to a pipe is not cut off.
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`endpoints-auth: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 70;
  },
);
