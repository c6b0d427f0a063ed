import { CommanderError, InvalidArgumentError, type Command } from 'commander';
import { loadConfigFromProcess, type Config } from '../config.js';
import { isAppError } from '../errors.js';
import { createLogger, type Logger } from '../logger.js';

/** A commander option parser for counts, sizes and seeds: a whole number of at least 1. */
export function positiveInteger(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new InvalidArgumentError('must be a positive integer');
  return parsed;
}

/**
 * What every CLI starts from: the validated environment, and a logger on stderr (LOG_LEVEL,
 * warn by default) so that output on stdout, `--json` above all, stays parseable.
 */
export function cliSetup(): { config: Config; logger: Logger } {
  return { config: loadConfigFromProcess(), logger: createLogger(process.env.LOG_LEVEL ?? 'warn', process.stderr) };
}

/** Exit statuses of every CLI: done, failed, or called wrongly (an unknown option, a missing argument). */
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/**
 * Parses the arguments and runs the command. A usage error exits with 2 after commander's
 * message; a failure with 1, its message on stderr, and under `--json` also as one JSON
 * object on stdout, `{"error": {"code", "message", "details"}}`, so that a script reading
 * stdout always gets JSON.
 */
export async function runCommand(program: Command): Promise<void> {
  for (const command of [program, ...program.commands]) command.exitOverride();
  try {
    await program.parseAsync();
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end the same way, with status 0.
      process.exitCode = error.exitCode === 0 ? 0 : EXIT_USAGE;
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    const details = isAppError(error) ? (error.details ?? []) : [];
    console.error(`${message}${details.map((detail) => `\n  - ${detail.path ?? ''}: ${detail.message}`).join('')}`);
    if (process.argv.includes('--json')) {
      console.log(JSON.stringify({ error: { code: isAppError(error) ? error.code : 'failed', message, ...(details.length ? { details } : {}) } }));
    }
    process.exitCode = EXIT_FAILED;
  }
}
