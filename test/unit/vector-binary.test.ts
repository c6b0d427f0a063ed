import { describe, expect, it } from 'vitest';
import { encodeVector, encodeVectorArray } from '../../src/db/vector-binary.js';

/** vector_recv's format written value by value: int16 dimensions, int16 unused, big-endian float4s. */
function reference(values: number[]): Buffer {
  const buffer = Buffer.alloc(4 + values.length * 4);
  buffer.writeInt16BE(values.length, 0);
  values.forEach((value, i) => buffer.writeFloatBE(value, 4 + i * 4));
  return buffer;
}

const values = [1.5, -2, 0.1, 3.4028234663852886e38, -0, 1e-45];

describe('pgvector binary encoding', () => {
  it('when a vector is a number[] or a Float32Array, then its bytes are the big-endian float4s vector_recv reads', () => {
    expect(encodeVector(values)).toEqual(reference(values));
    expect(encodeVector(Float32Array.from(values))).toEqual(reference(values));
  });

  it('when a Float32Array is a view into a larger buffer, then only its own values are written', () => {
    const backing = new Float32Array([9, ...values, 9]);
    expect(encodeVector(backing.subarray(1, 1 + values.length))).toEqual(reference(values));
  });

  it('when vectors go in a vector[] parameter, then each element is its length and its vector, a null is -1', () => {
    const encoded = encodeVectorArray([values, null, Float32Array.from([0.25])], 4242);
    const element = reference(values);
    const expected = Buffer.concat([
      Buffer.from([0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0x10, 0x92, 0, 0, 0, 3, 0, 0, 0, 1]),
      Buffer.from([0, 0, 0, element.length]), element,
      Buffer.from([0xff, 0xff, 0xff, 0xff]),
      Buffer.from([0, 0, 0, 8]), reference([0.25]),
    ]);
    expect(encoded).toEqual(expected);
  });
});
