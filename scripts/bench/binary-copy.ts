import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type pg from 'pg';

/** The parts of pg's internal connection a COPY FROM STDIN needs (what pg-copy-streams uses). */
interface CopyConnection {
  query(text: string): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
  sendCopyFail(message: string): void;
  stream: Writable;
}

/** A field of a binary COPY row: null, or the value already in its binary wire format. */
export type BinaryField = Buffer | null;

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

/**
 * `COPY <target> FROM STDIN (FORMAT BINARY)` through pg's client, without
 * pg-copy-streams (not installed): a pg Submittable that answers CopyInResponse with
 * the rows, in batches of about 1 MB, waiting for the socket to drain. Resolves with
 * the number of rows copied.
 */
export function copyBinary(client: pg.PoolClient | pg.Client, target: string, rows: Iterable<BinaryField[]>): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    let error: Error | undefined;
    let copied = 0;
    const submittable = {
      submit(connection: CopyConnection) {
        connection.query(`COPY ${target} FROM STDIN (FORMAT BINARY)`);
      },
      handleCopyInResponse(connection: CopyConnection) {
        pump(connection, rows).catch((cause: unknown) => connection.sendCopyFail(String(cause)));
      },
      handleCommandComplete(message: { text: string }) {
        copied = Number(/\d+$/.exec(message.text)?.[0] ?? 0);
      },
      handleError(cause: Error) {
        error = cause;
      },
      handleReadyForQuery() {
        if (error) reject(error);
        else resolve(copied);
      },
      // Messages a COPY never produces; pg still expects the methods to exist.
      handleRowDescription() {},
      handleDataRow() {},
      handleEmptyQuery() {},
      handlePortalSuspended() {},
      handleCopyData() {},
    };
    void client.query(submittable as unknown as pg.Submittable);
  });
}

async function pump(connection: CopyConnection, rows: Iterable<BinaryField[]>): Promise<void> {
  const header = Buffer.alloc(SIGNATURE.length + 8);
  SIGNATURE.copy(header);
  let parts: Buffer[] = [header];
  let size = header.length;
  const send = async () => {
    connection.sendCopyFromChunk(Buffer.concat(parts, size));
    parts = [];
    size = 0;
    if (connection.stream.writableNeedDrain) await once(connection.stream, 'drain');
  };
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
    if (size >= 1 << 20) await send();
  }
  parts.push(Buffer.from([0xff, 0xff])); // file trailer
  size += 2;
  await send();
  connection.endCopyFrom();
}

/** Binary encoders of the column types the benchmarks copy. */
export const binary = {
  text: (value: string | null): BinaryField => (value === null ? null : Buffer.from(value, 'utf8')),
  int4: (value: number): BinaryField => {
    const buffer = Buffer.allocUnsafe(4);
    buffer.writeInt32BE(value);
    return buffer;
  },
  /** jsonb's binary format: a version byte (1), then the JSON text. */
  jsonb: (value: unknown): BinaryField => Buffer.concat([Buffer.from([1]), Buffer.from(JSON.stringify(value), 'utf8')]),
  /** A one-dimensional text[] (element type OID 25). */
  textArray: (values: string[]): BinaryField => {
    const elements = values.map((value) => Buffer.from(value, 'utf8'));
    const buffer = Buffer.allocUnsafe(20 + elements.reduce((total, element) => total + 4 + element.length, 0));
    buffer.writeInt32BE(values.length === 0 ? 0 : 1, 0);
    buffer.writeInt32BE(0, 4);
    buffer.writeInt32BE(25, 8);
    if (values.length === 0) return buffer.subarray(0, 12);
    buffer.writeInt32BE(values.length, 12);
    buffer.writeInt32BE(1, 16);
    let offset = 20;
    for (const element of elements) {
      buffer.writeInt32BE(element.length, offset);
      offset += 4 + element.copy(buffer, offset + 4);
    }
    return buffer;
  },
};
