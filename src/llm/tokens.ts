import { get_encoding, type Tiktoken } from 'tiktoken';

/**
 * Token counting with the encoding of OpenAI's embedding and chat models (cl100k_base
 * for text-embedding-3-*; close enough for budgeting the chat prompt too). One encoder
 * per process: creating one is slow, and its WASM memory is never freed by GC.
 */
let encoder: Tiktoken | undefined;

function getEncoder(): Tiktoken {
  encoder ??= get_encoding('cl100k_base');
  return encoder;
}

export function countTokens(text: string): number {
  return text.length === 0 ? 0 : getEncoder().encode_ordinary(text).length;
}

export function encodeTokens(text: string): Uint32Array {
  return getEncoder().encode_ordinary(text);
}

const utf8 = new TextDecoder();

export function decodeTokens(tokens: Uint32Array): string {
  return utf8.decode(getEncoder().decode(tokens));
}

/** Cuts text to at most `maxTokens` tokens (at a token boundary). */
export function truncateToTokens(text: string, maxTokens: number): string {
  const tokens = encodeTokens(text);
  return tokens.length <= maxTokens ? text : decodeTokens(tokens.slice(0, maxTokens));
}
