// The benchmarks' ceiling loads use the writer's own binary COPY (one implementation, so the comparison is fair).
export { binary, copyBinary, type BinaryField } from '../../src/db/binary-copy.js';
