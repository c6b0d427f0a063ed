import { describe, expect, it } from 'vitest';
import { MigrationError } from '../../src/db/migrations.js';
import { DependencyError } from '../../src/errors.js';
import { createLogger } from '../../src/logger.js';
import { LogCapture } from '../support/app.js';
import { expectNoPhiInLogs } from '../support/phi.js';

const NAME = 'Marguerite Okonkwo-Delacroix';

function logged(err: unknown): { err: Record<string, unknown> } {
  const logs = new LogCapture();
  createLogger('info', logs).error({ err }, 'failed');
  expectNoPhiInLogs(logs, [NAME]);
  return JSON.parse(logs.lines[0]!) as { err: Record<string, unknown> };
}

/** An error as node:net and node:fs make them (ErrnoException). */
function systemError(message: string, fields: Record<string, unknown>): Error {
  return Object.assign(new Error(message), fields);
}

describe('error logs', () => {
  it('when the service refuses to start over its schema, then the class and the whole message are logged', () => {
    const line = logged(new MigrationError('The database lacks 2 migration(s): 0003_c.sql, 0004_d.sql'));
    expect(line.err).toMatchObject({ type: 'MigrationError', reason: 'The database lacks 2 migration(s): 0003_c.sql, 0004_d.sql' });
  });

  it('when a system call fails (port in use, connection refused), then its code and message are logged, also as a cause', () => {
    const inUse = systemError('listen EADDRINUSE: address already in use 127.0.0.1:3000', { code: 'EADDRINUSE', syscall: 'listen', errno: -98 });
    expect(logged(inUse).err).toMatchObject({ code: 'EADDRINUSE', syscall: 'listen', reason: 'listen EADDRINUSE: address already in use 127.0.0.1:3000' });

    const refused = systemError('connect ECONNREFUSED 127.0.0.1:6379', { code: 'ECONNREFUSED', syscall: 'connect' });
    const wrapped = new DependencyError('redis', `Redis GET failed for ${NAME}`, { cause: refused });
    const line = logged(wrapped);
    expect(line.err).not.toHaveProperty('reason');
    expect(line.err).toMatchObject({ type: 'DependencyError', cause: { code: 'ECONNREFUSED', reason: 'connect ECONNREFUSED 127.0.0.1:6379' } });

    const both = new AggregateError([refused, systemError('connect ECONNREFUSED ::1:6379', { code: 'ECONNREFUSED', syscall: 'connect' })]);
    expect(logged(both).err).toMatchObject({ type: 'AggregateError', errors: [{ reason: 'connect ECONNREFUSED 127.0.0.1:6379' }, { reason: 'connect ECONNREFUSED ::1:6379' }] });
  });

  it('when an error may quote request content (any other message, a file path), then only its code and class are logged', () => {
    expect(logged(new Error(`no such patient ${NAME}`)).err).not.toHaveProperty('reason');
    const missing = systemError(`ENOENT: no such file or directory, open '/imports/${NAME}.jsonl'`, { code: 'ENOENT', syscall: 'open', path: `/imports/${NAME}.jsonl` });
    expect(logged(missing).err).toMatchObject({ code: 'ENOENT', syscall: 'open' });
    expect(logged(missing).err).not.toHaveProperty('reason');
  });
});
