import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpServer } from '../../src/http/server.js';

describe('HTTP server of the express app', () => {
  const app = express();
  app.use(express.json());
  app.post('/echo', (req, res) => {
    res.status(201).json({ body: req.body as unknown, path: req.path, ip: req.ip });
  });
  app.get('/stream', (_req, res) => {
    res.type('text/plain');
    res.write('one ');
    setTimeout(() => res.end('two'), 10);
  });
  let server: Server;
  let baseUrl: string;
  const prototypesAtArrival: boolean[] = [];

  beforeAll(async () => {
    server = createHttpServer(app);
    // Runs before express's own listener: what node:http made, before express touched it.
    server.prependListener('request', (req, res) => {
      prototypesAtArrival.push(Object.getPrototypeOf(req) === app.request && Object.getPrototypeOf(res) === app.response);
    });
    server.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('when a request arrives, then it and its response already have the prototypes express gives them', async () => {
    prototypesAtArrival.length = 0;
    await (await fetch(`${baseUrl}/stream`)).text();
    await (await fetch(`${baseUrl}/missing`)).text();
    expect(prototypesAtArrival).toEqual([true, true]);
  });

  it('when a JSON body is posted, then express parses it and answers with its status and JSON', async () => {
    const response = await fetch(`${baseUrl}/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'héllo' }),
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await response.json()).toEqual({ body: { message: 'héllo' }, path: '/echo', ip: '127.0.0.1' });
  });

  it('when many requests share a connection, then each gets its own answer', async () => {
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, n) =>
        fetch(`${baseUrl}/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ n }) }).then(
          async (response) => ((await response.json()) as { body: { n: number } }).body.n,
        ),
      ),
    );
    expect(answers).toEqual(Array.from({ length: 20 }, (_, n) => n));
  });

  it('when a handler writes in pieces, then the client reads them all', async () => {
    const response = await fetch(`${baseUrl}/stream`);
    expect(await response.text()).toBe('one two');
  });

  it('when a body is not JSON, then express answers 400 and the server keeps serving', async () => {
    const bad = await fetch(`${baseUrl}/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{nope' });
    expect(bad.status).toBe(400);
    const good = await fetch(`${baseUrl}/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(good.status).toBe(201);
  });
});
