import { describe, expect, it } from 'vitest';
import { ContractChecker } from '../support/contract.js';

const document = {
  openapi: '3.1.0',
  paths: {
    '/v1/jobs/{id}': {
      get: {
        operationId: 'getJob',
        responses: {
          '200': { description: 'The job.', content: { 'application/json': { schema: { $ref: '#/components/schemas/Job' } } } },
          '429': { description: 'Later.', headers: { 'Retry-After': { schema: { type: 'integer' } } }, content: { 'application/problem+json': { schema: { type: 'object' } } } },
        },
      },
    },
    '/v1/jobs/latest': { get: { operationId: 'latestJob', responses: { '204': { description: 'None.' } } } },
  },
  components: { schemas: { Job: { type: 'object', properties: { id: { type: 'string', format: 'uuid' } }, required: ['id'] } } },
};

const checker = new ContractChecker(document);
const url = (path: string) => new URL(`http://127.0.0.1${path}`);
const response = (status: number, contentType: string | null, body: string, headers: Record<string, string> = {}) => ({
  status,
  headers: new Headers({ ...(contentType ? { 'content-type': contentType } : {}), ...headers }),
  body,
});
const JOB = JSON.stringify({ id: '8ed78a0c-c875-4c5e-831d-f96f40c87bec' });

describe('the contract checker of the API tests', () => {
  it('when a response matches its operation, then nothing is reported', () => {
    expect(checker.check('GET', url('/v1/jobs/8ed78a0c'), response(200, 'application/json; charset=utf-8', JOB))).toEqual([]);
    expect(checker.check('GET', url('/v1/jobs/latest'), response(204, null, ''))).toEqual([]);
  });

  it.each([
    ['an undocumented status', response(404, 'application/problem+json', '{}'), /status not documented for getJob/],
    ['a body outside the schema', response(200, 'application/json', JSON.stringify({ id: 'not-a-uuid' })), /body does not match the schema: body\/id must match format "uuid"/],
    ['another content type', response(200, 'text/html', '<p>'), /content type text\/html is not one of application\/json/],
    ['a documented header missing', response(429, 'application/problem+json', '{}'), /documented header Retry-After missing/],
  ])('when a response has %s, then it is reported', (_name, sent, expected) => {
    expect(checker.check('GET', url('/v1/jobs/8ed78a0c'), sent).join('\n')).toMatch(expected);
  });

  it('when an undocumented path or method errs, then only a problem+json body is accepted', () => {
    expect(checker.check('PATCH', url('/v1/jobs/1'), response(405, 'application/problem+json', '{}'))).toEqual([]);
    expect(checker.check('GET', url('/nothing'), response(404, 'text/html', '<p>'))).toHaveLength(1);
  });
});
