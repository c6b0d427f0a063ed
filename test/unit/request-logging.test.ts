import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installRequestLogging } from '../../src/http/request-logging.js';
import { createLogger } from '../../src/logger.js';
import { LogCapture } from '../support/app.js';

interface Line {
  level: number;
  msg: string;
  req?: { id: string; method: string };
  res?: { status: number };
  route?: string;
}

describe('request logging', () => {
  const logs = new LogCapture();
  let server: Server;
  let baseUrl: string;
  let releaseSlow: () => void = () => undefined;

  beforeAll(async () => {
    const app = express();
    installRequestLogging(app, createLogger('info', logs));
    app.get('/fails', (_req, res) => {
      res.status(503).end();
    });
    app.get('/logs', (req, res) => {
      req.log.info({ step: 1 }, 'handler line');
      res.end();
    });
    app.get('/slow', (_req, res) => {
      releaseSlow = () => res.end();
    });
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  const linesOf = (id: string | null) =>
    logs.lines.map((text) => JSON.parse(text) as Line).filter((line) => line.req?.id === id);
  const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

  it('when a handler logs, then its line and the completion line carry the request id and method', async () => {
    const response = await fetch(`${baseUrl}/logs`, { headers: { 'x-request-id': 'caller-id-1' } });
    expect(response.headers.get('x-request-id')).toBe('caller-id-1');
    await settle();
    expect(linesOf('caller-id-1')).toMatchObject([
      { msg: 'handler line', req: { id: 'caller-id-1', method: 'GET' } },
      { msg: 'request completed', res: { status: 200 }, route: '/logs', level: 30 },
    ]);
  });

  it('when a caller sends an id that is not one, then a new id stands for it', async () => {
    const response = await fetch(`${baseUrl}/logs`, { headers: { 'x-request-id': 'spaces are not allowed' } });
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('when a response is a 5xx, then its line is at error level', async () => {
    const id = (await fetch(`${baseUrl}/fails`)).headers.get('x-request-id');
    await settle();
    expect(linesOf(id)).toMatchObject([{ msg: 'request errored', res: { status: 503 }, route: '/fails', level: 50 }]);
  });

  it('when the client goes away before the response, then the line says the request was aborted', async () => {
    const pending = fetch(`${baseUrl}/slow`, { headers: { 'x-request-id': 'aborted-1' } }).catch(() => undefined);
    await settle();
    server.closeAllConnections();
    await pending;
    await settle();
    releaseSlow();
    expect(linesOf('aborted-1')).toMatchObject([{ msg: 'request aborted', route: '/slow' }]);
  });
});
