import nock from 'nock';
import { afterEach } from 'vitest';
import { assertResponsesKeptContract } from './contract.js';

// Only loopback is reachable from tests: an unmocked call to OpenAI (or anywhere) fails.
nock.disableNetConnect();
nock.enableNetConnect(/^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/);

// Every response a test fetched from a test app must be one the OpenAPI document allows (test/support/contract.ts).
afterEach(assertResponsesKeptContract);
