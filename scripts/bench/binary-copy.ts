import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

/** A field of a binary COPY row: null, or the value already in its binary wire format. */
export type BinaryField = Buffer | null;

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
const TRAILER = Buffer.from([0xff, 0xff]);
/** Rows are sent in pieces of about this size: few socket writes, bounded memory. */
const PIECE_BYTES = 1 << 20;

/**
 * `COPY <target> FROM STDIN (FORMAT BINARY)` on this connection (inside the caller's
 * transaction, if any), with pg-copy-streams. Rows are encoded as they are sent, so a
 * generator of rows is never held whole. Resolves with the number of rows copied.
 * PGlite behind pglite-socket does not speak the COPY sub-protocol: real PostgreSQL only.
 */
export async function copyBinary(client: pg.PoolClient | pg.Client, target: string, rows: Iterable<BinaryField[]>): Promise<number> {
  const stream = client.query(copyFrom(`COPY ${target} FROM STDIN (FORMAT BINARY)`));
  await pipeline(Readable.from(encodeRows(rows)), stream);
  return stream.rowCount;
}

function* encodeRows(rows: Iterable<BinaryField[]>): Generator<Buffer> {
  const header = Buffer.alloc(SIGNATURE.length + 8); // + int32 flags, int32 header extension length
  SIGNATURE.copy(header);
  let parts: Buffer[] = [header];
  let size = header.length;
  for (const fields of rows) {
    const tuple = Buffer.allocUnsafe(2 + fields.reduce((total, field) => total + 4 + (field?.length ?? 0), 0));
    tuple.writeInt16BE(fields.length, 0);
    let offset = 2;
    for (const field of fields) {
      tuple.writeInt32BE(field ? field.length : -1, offset);
      offset += 4;
      if (field) offset += field.copy(tuple, offset);
    }
    parts.push(tuple);
    size += tuple.length;
    if (size >= PIECE_BYTES) {
      yield Buffer.concat(parts, size);
      parts = [];
      size = 0;
    }
  }
  parts.push(TRAILER);
  yield Buffer.concat(parts, size + TRAILER.length);
}

/** Binary encoders (the types' `*_recv` formats) of the column types copied. */
export const binary = {
  text: (value: string | null): BinaryField => (value === null ? null : Buffer.from(value, 'utf8')),
  int4: (value: number): BinaryField => {
    const buffer = Buffer.allocUnsafe(4);
    buffer.writeInt32BE(value);
    return buffer;
  },
  /** jsonb's binary format: a version byte (1), then the JSON text. */
  jsonb: (value: unknown): BinaryField => Buffer.concat([Buffer.from([1]), Buffer.from(JSON.stringify(value), 'utf8')]),
  /** A uuid: its 16 bytes. */
  uuid: (value: string | null): BinaryField => (value === null ? null : Buffer.from(value.replace(/-/g, ''), 'hex')),
  /** A one-dimensional text[] (element type OID 25). */
  textArray: (values: string[]): BinaryField => array(25, values.map((value) => Buffer.from(value, 'utf8'))),
  /** A one-dimensional uuid[] (element type OID 2950). */
  uuidArray: (values: string[]): BinaryField => array(2950, values.map((value) => Buffer.from(value.replace(/-/g, ''), 'hex'))),
};

/** A one-dimensional array without nulls (array_recv): header, then each element with its length. */
function array(elementOid: number, elements: Buffer[]): Buffer {
  const buffer = Buffer.allocUnsafe(20 + elements.reduce((total, element) => total + 4 + element.length, 0));
  buffer.writeInt32BE(elements.length === 0 ? 0 : 1, 0);
  buffer.writeInt32BE(0, 4);
  buffer.writeInt32BE(elementOid, 8);
  if (elements.length === 0) return buffer.subarray(0, 12);
  buffer.writeInt32BE(elements.length, 12);
  buffer.writeInt32BE(1, 16);
  let offset = 20;
  for (const element of elements) {
    buffer.writeInt32BE(element.length, offset);
    offset += 4 + element.copy(buffer, offset + 4);
  }
  return buffer;
}
