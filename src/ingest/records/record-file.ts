import { createReadStream } from 'node:fs';
import { isAppError, ValidationError } from '../../errors.js';
import { parsePatientRecord, type PatientRecord } from './record.schemas.js';

export interface RecordLine {
  /** 1-based line number in the file. */
  line: number;
  record: PatientRecord;
}

/**
 * The patients of a JSON Lines file, one per line, each validated exactly as a patient
 * pushed to POST /v1/admin/records (text PostgreSQL can store, the record schema), and
 * no patient twice. A bad line throws a ValidationError naming the file, the line and
 * the fields: run it through once before writing anything, and a bad file writes nothing.
 */
export async function* readRecordFile(file: string): AsyncGenerator<RecordLine> {
  const lineOf = new Map<string, number>();
  for await (const { line, text } of readUtf8Lines(file)) {
    if (text.trim() === '') continue;
    const record = parseLine(file, line, text);
    const previous = lineOf.get(record.patient.id);
    if (previous !== undefined) throw lineError(file, line, [{ path: 'patient.id', message: `the same patient as line ${previous}` }]);
    lineOf.set(record.patient.id, line);
    yield { line, record };
  }
}

function parseLine(file: string, line: number, text: string): PatientRecord {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw lineError(file, line, [{ message: 'not valid JSON' }]);
  }
  try {
    return parsePatientRecord(json);
  } catch (error) {
    if (isAppError(error) && error.details) throw lineError(file, line, error.details, error);
    throw error;
  }
}

function lineError(file: string, line: number, details: { path?: string; message: string }[], cause?: unknown): ValidationError {
  const problems = details.map((detail) => (detail.path ? `${detail.path}: ${detail.message}` : detail.message));
  return new ValidationError(`${file}:${line}: invalid patient record\n  - ${problems.join('\n  - ')}`, {
    code: 'invalid_records',
    details: details.map((detail) => ({ ...detail, path: `line ${line}${detail.path ? `: ${detail.path}` : ''}` })),
    cause,
  });
}

// Strict: a byte sequence that is not UTF-8 is an error, not U+FFFD stored in a record.
// A byte-order mark at the start of a line is dropped (an editor's, not the record's).
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The lines of a file, each decoded on its own so an encoding error names its line. */
async function* readUtf8Lines(file: string): AsyncGenerator<{ line: number; text: string }> {
  let pending: Buffer[] = [];
  let line = 0;
  const decode = (bytes: Buffer): { line: number; text: string } => {
    line += 1;
    const end = bytes.at(-1) === 0x0d ? bytes.length - 1 : bytes.length;
    try {
      return { line, text: utf8.decode(bytes.subarray(0, end)) };
    } catch {
      throw lineError(file, line, [{ message: 'not valid UTF-8' }]);
    }
  };
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    let start = 0;
    for (let newline = chunk.indexOf(0x0a); newline !== -1; newline = chunk.indexOf(0x0a, start)) {
      pending.push(chunk.subarray(start, newline));
      yield decode(Buffer.concat(pending));
      pending = [];
      start = newline + 1;
    }
    if (start < chunk.length) pending.push(chunk.subarray(start));
  }
  if (pending.length > 0) yield decode(Buffer.concat(pending));
}
