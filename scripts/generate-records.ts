import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import { Command, InvalidArgumentError } from 'commander';
import { PatientRecordSchema } from '../src/ingest/records/record.schemas.js';
import { DEFAULT_SYNTHETIC_END_DATE, generatePatients } from '../src/ingest/records/synthetic-records.js';

/**
 * Writes synthetic patient records as JSON Lines, one PatientRecord per line:
 *   tsx scripts/generate-records.ts --patients 1000 --doctors 20 --seed 42 [--out records.jsonl]
 */

function integer(min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n < min) throw new InvalidArgumentError(`expected an integer >= ${min}`);
    return n;
  };
}

function day(value: string): string {
  const ms = Date.parse(`${value}T00:00:00Z`);
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== value) {
    throw new InvalidArgumentError('expected YYYY-MM-DD');
  }
  return value;
}

const program = new Command()
  .name('generate-records')
  .description('Generate deterministic synthetic patient records (no real people) as JSON Lines')
  .requiredOption('--patients <n>', 'number of patients', integer(0))
  .option('--doctors <n>', 'number of doctors the patients are spread over', integer(1), 10)
  .option('--seed <n>', 'PRNG seed (integer, taken modulo 2^32)', integer(-(2 ** 31)), 1)
  .option('--end-date <date>', 'appointments fall in the two years up to this day', day, DEFAULT_SYNTHETIC_END_DATE)
  .option('--out <file>', 'write to this file instead of stdout')
  .option('--no-validate', 'skip checking each record against PatientRecordSchema')
  .parse();

const opts = program.opts<{
  patients: number;
  doctors: number;
  seed: number;
  endDate: string;
  out?: string;
  validate: boolean;
}>();

const output = opts.out === undefined ? process.stdout : createWriteStream(opts.out, { encoding: 'utf8' });
let index = 0;
for (const record of generatePatients({ patients: opts.patients, doctors: opts.doctors, seed: opts.seed, endDate: opts.endDate })) {
  if (opts.validate) {
    const result = PatientRecordSchema.safeParse(record);
    // A generator bug should stop the run, not ship records the ingest route would reject.
    if (!result.success) throw new Error(`generated record ${index} is invalid: ${result.error.message}`);
  }
  // Respect backpressure so 100,000 patients stream instead of piling up in memory.
  if (!output.write(`${JSON.stringify(record)}\n`)) await once(output, 'drain');
  index++;
}
if (output !== process.stdout) {
  output.end();
  await finished(output);
  console.error(`wrote ${index} patients to ${opts.out}`);
}
