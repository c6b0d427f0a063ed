import { hash } from 'node:crypto';

/** SHA-256 of a text (UTF-8), in hex. One call, no Hash object: a cache hit computes several. */
export function sha256Hex(text: string): string {
  return hash('sha256', text, 'hex');
}
