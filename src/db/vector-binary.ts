import os from 'node:os';

/**
 * pgvector's binary wire format (vector_recv): int16 dimensions, int16 unused, then each
 * value as a big-endian float4. A 1536-dim vector is 6 KB instead of ~15 KB of text, and
 * neither side formats or parses 1536 decimal numbers.
 */
export function encodeVector(values: ArrayLike<number>): Buffer {
  const buffer = Buffer.allocUnsafe(4 + values.length * 4);
  writeVector(buffer, 0, values);
  return buffer;
}

/**
 * A `vector[]` parameter in PostgreSQL's binary array format (array_recv), nulls
 * allowed. pg sends Buffer parameters in binary, so `unnest($n::vector[])` receives
 * the vectors without any text round trip. The element type OID is checked by the
 * server, and the vector type's OID differs per database (`'vector'::regtype::oid`).
 */
export function encodeVectorArray(vectors: ReadonlyArray<ArrayLike<number> | null>, vectorOid: number): Buffer {
  let size = 20;
  for (const vector of vectors) size += 4 + (vector ? 4 + vector.length * 4 : 0);
  const buffer = Buffer.allocUnsafe(size);
  buffer.writeInt32BE(1, 0); // dimensions of the array
  buffer.writeInt32BE(vectors.includes(null) ? 1 : 0, 4);
  buffer.writeUInt32BE(vectorOid, 8);
  buffer.writeInt32BE(vectors.length, 12);
  buffer.writeInt32BE(1, 16); // lower bound
  let offset = 20;
  for (const vector of vectors) {
    if (!vector) {
      buffer.writeInt32BE(-1, offset);
      offset += 4;
      continue;
    }
    buffer.writeInt32BE(4 + vector.length * 4, offset);
    offset = writeVector(buffer, offset + 4, vector);
  }
  return buffer;
}

const LITTLE_ENDIAN = os.endianness() === 'LE';

function writeVector(buffer: Buffer, offset: number, values: ArrayLike<number>): number {
  buffer.writeInt16BE(values.length, offset);
  buffer.writeInt16BE(0, offset + 2);
  // The floats copied as they lie in memory, then byte-swapped in one native call,
  // rather than a writeFloatBE per value.
  const floats = values instanceof Float32Array ? values : Float32Array.from(values);
  const start = offset + 4;
  Buffer.from(floats.buffer, floats.byteOffset, floats.byteLength).copy(buffer, start);
  if (LITTLE_ENDIAN) buffer.subarray(start, start + floats.byteLength).swap32();
  return start + floats.byteLength;
}
