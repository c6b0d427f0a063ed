import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import { Command, InvalidArgumentError } from 'commander';
import pg from 'pg';
import { PatientRecordSchema, type PatientRecord } from '../src/ingest/records/record.schemas.js';
import { createPlatformFixtureSchema, writePlatformPatients } from '../src/ingest/records-sync/platform-fixture.js';
import { DEFAULT_SYNTHETIC_END_DATE, generatePatients } from '../src/ingest/records/synthetic-records.js';

/**
 * Writes synthetic patient records as JSON Lines, one PatientRecord per line:
 *   tsx scripts/generate-records.ts --patients 1000 --doctors 20 --seed 42 [--out records.jsonl]
 * or into the platform's tables of a TEST database (the medical_records fixture, created
 * if missing), for the records sync:
 *   tsx scripts/generate-records.ts --patients 1000 --database postgres://127.0.0.1/llm_dev
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
  .option('--visits <n>', 'appointments of every patient (default: 1 to 6 each)', integer(1))
  .option('--out <file>', 'write to this file instead of stdout')
  .option('--database <url>', 'write into the medical_records fixture tables of this TEST database instead (sql/fixtures)')
  .option('--no-validate', 'skip checking each record against PatientRecordSchema')
  .parse();

const opts = program.opts<{
  patients: number;
  doctors: number;
  seed: number;
  endDate: string;
  visits?: number;
  out?: string;
  database?: string;
  validate: boolean;
}>();

/** Patients per transaction when writing to a database. */
const DATABASE_BATCH = 500;

function* validated(): Generator<PatientRecord> {
  let index = 0;
  for (const record of generatePatients({ patients: opts.patients, doctors: opts.doctors, seed: opts.seed, endDate: opts.endDate, visits: opts.visits })) {
    if (opts.validate) {
      const result = PatientRecordSchema.safeParse(record);
      // A generator bug should stop the run, not ship records the ingest route would reject.
      if (!result.success) throw new Error(`generated record ${index} is invalid: ${result.error.message}`);
    }
    index++;
    yield record;
  }
}

if (opts.database !== undefined) {
  const client = new pg.Client({ connectionString: opts.database });
  await client.connect();
  try {
    await createPlatformFixtureSchema(client);
    let batch: PatientRecord[] = [];
    let written = 0;
    const flush = async () => {
      await client.query('BEGIN');
      await writePlatformPatients(client, batch);
      await client.query('COMMIT');
      written += batch.length;
      batch = [];
    };
    for (const record of validated()) {
      batch.push(record);
      if (batch.length >= DATABASE_BATCH) await flush();
    }
    if (batch.length > 0) await flush();
    console.error(`wrote ${written} patients to medical_records`);
  } finally {
    await client.end();
  }
} else {
  const output = opts.out === undefined ? process.stdout : createWriteStream(opts.out, { encoding: 'utf8' });
  let count = 0;
  for (const record of validated()) {
    // Respect backpressure so 100,000 patients stream instead of piling up in memory.
    if (!output.write(`${JSON.stringify(record)}\n`)) await once(output, 'drain');
    count++;
  }
  if (output !== process.stdout) {
    output.end();
    await finished(output);
    console.error(`wrote ${count} patients to ${opts.out}`);
  }
}
