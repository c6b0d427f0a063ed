import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { readRecordFile } from '../../src/ingest/records/record-file.js';
import { generatePatients } from '../../src/ingest/records/synthetic-records.js';

const patients = [...generatePatients({ patients: 5, doctors: 2, seed: 21 })];
const lines = patients.map((patient) => JSON.stringify(patient));

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'record-file-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

let fileCount = 0;
async function file(content: string | Buffer): Promise<string> {
  fileCount += 1;
  const name = path.join(dir, `records-${fileCount}.jsonl`);
  await writeFile(name, content);
  return name;
}

async function readAll(name: string): Promise<{ line: number; id: string }[]> {
  const read: { line: number; id: string }[] = [];
  for await (const { line, record } of readRecordFile(name)) read.push({ line, id: record.patient.id });
  return read;
}

async function refusal(name: string): Promise<ValidationError> {
  const error = await readAll(name).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(ValidationError);
  return error as ValidationError;
}

describe('readRecordFile', () => {
  it('when every line is a valid patient, then each comes with its line number (blank lines and CRLF endings are fine)', async () => {
    const name = await file(`${lines[0]}\r\n\r\n${lines[1]}\n${lines[2]}`);
    expect(await readAll(name)).toEqual([
      { line: 1, id: patients[0]!.patient.id },
      { line: 3, id: patients[1]!.patient.id },
      { line: 4, id: patients[2]!.patient.id },
    ]);
  });

  it('when a line escapes a NUL character, then the file is refused naming the line and the field, as the HTTP route would', async () => {
    const bad = structuredClone(patients[3]!);
    bad.patient.firstName = `Ann\u0000a`;
    const name = await file([...lines.slice(0, 3), JSON.stringify(bad), lines[4]].join('\n'));

    const error = await refusal(name);

    expect(error.message).toContain(`${name}:4: invalid patient record`);
    expect(error.message).toContain('patient.firstName: must not contain U+0000 or an unpaired surrogate');
    expect(error.details).toEqual([{ path: 'line 4: patient.firstName', message: 'must not contain U+0000 or an unpaired surrogate' }]);
  });

  it('when a line has an unpaired surrogate or a name of invisible characters, then it is refused like the HTTP route', async () => {
    const surrogate = lines[0]!.replace(patients[0]!.patient.lastName, '\\ud800');
    expect((await refusal(await file(surrogate))).message).toContain('patient.lastName: must not contain U+0000');
    const invisible = structuredClone(patients[0]!);
    invisible.patient.firstName = '\u200b\u2060';
    expect((await refusal(await file(JSON.stringify(invisible)))).message).toContain('patient.firstName: must contain a visible character');
  });

  it('when a line starts with a byte-order mark, then it is read like any other', async () => {
    const name = await file(`\uFEFF${lines[0]}\n\uFEFF${lines[1]}\n`);
    expect((await readAll(name)).map((entry) => entry.line)).toEqual([1, 2]);
  });

  it('when a line is not valid UTF-8, then the file is refused naming that line (nothing becomes U+FFFD)', async () => {
    const broken = Buffer.from(lines[1]!.replace(patients[1]!.patient.lastName, 'XX'));
    const at = broken.indexOf('XX');
    broken[at] = 0xc3; // a lead byte followed by an ASCII byte: not UTF-8
    const name = await file(Buffer.concat([Buffer.from(`${lines[0]}\n`), broken, Buffer.from(`\n${lines[2]}\n`)]));

    const error = await refusal(name);

    expect(error.message).toContain(`${name}:2: invalid patient record`);
    expect(error.message).toContain('not valid UTF-8');
  });

  it('when the same patient appears on two lines, then the second is refused naming the first', async () => {
    const name = await file([lines[0], lines[1], lines[0]].join('\n'));
    const error = await refusal(name);
    expect(error.message).toContain(`${name}:3:`);
    expect(error.message).toContain('patient.id: the same patient as line 1');
  });

  it('when a line is not JSON, then the file is refused naming it', async () => {
    const name = await file(`${lines[0]}\n{"patient": \n`);
    expect((await refusal(name)).message).toContain(`${name}:2: invalid patient record\n  - not valid JSON`);
  });
});
