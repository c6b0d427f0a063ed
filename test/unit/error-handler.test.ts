import { describe, expect, it } from 'vitest';
import { DependencyError, RateLimitedError } from '../../src/errors.js';
import { toProblemFields } from '../../src/http/error-handler.js';

describe('toProblemFields', () => {
  it('when a 503 names no retry time, then it gets the default; a time it names is kept', () => {
    expect(toProblemFields(new DependencyError('redis', 'Redis GET failed'))).toMatchObject({ status: 503, code: 'redis_unavailable', retryAfterSeconds: 5 });
    expect(toProblemFields(new DependencyError('openai', 'busy', { retryAfterSeconds: 30 }))).toMatchObject({ retryAfterSeconds: 30 });
    expect(toProblemFields(new RateLimitedError('slow down', { retryAfterSeconds: 7 }))).toMatchObject({ status: 429, retryAfterSeconds: 7 });
  });

  it("when express's router or body-parser raise a 4xx, then that status is kept, as a problem with a stable code", () => {
    const uri = Object.assign(new URIError("Failed to decode param '%E0%A4%A'"), { status: 400, statusCode: 400 });
    expect(toProblemFields(uri)).toMatchObject({ status: 400, code: 'malformed_path' });
    const zlib = Object.assign(new Error('incorrect header check'), { code: 'Z_DATA_ERROR', errno: -3, status: 400, statusCode: 400, expose: true });
    expect(toProblemFields(zlib)).toMatchObject({ status: 400, code: 'malformed_body' });
    const other = Object.assign(new Error('request size did not match content length'), { statusCode: 400, expose: true });
    expect(toProblemFields(other)).toMatchObject({ status: 400, code: 'bad_request', detail: 'request size did not match content length' });
  });

  it("when another library's error carries a status (an upstream's 400), then it is not taken for the client's fault", () => {
    const upstream = Object.assign(new Error('400 invalid model'), { status: 400 });
    expect(toProblemFields(upstream)).toMatchObject({ status: 500, code: 'internal_error' });
  });
});
