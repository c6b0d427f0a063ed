import { InvalidArgumentError } from 'commander';

/** A commander option parser for counts, sizes and seeds: a whole number of at least 1. */
export function positiveInteger(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new InvalidArgumentError('must be a positive integer');
  return parsed;
}
