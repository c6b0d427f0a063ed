import http from 'node:http';
import express from 'express';

/**
 * The machine's ceiling for the chat benchmark: a server doing only the HTTP part of a
 * cache hit (read and parse the JSON body, send a fixed JSON answer), with node:http
 * alone or with express and its JSON body parser (listening as the service does), in
 * its own process like the service.
 * `tsx scripts/bench/reference-server.ts <node-http|express>`; PORT, HOST and
 * REFERENCE_BODY (the answer, the bytes of a real hit) from the environment.
 */
const kind = process.argv[2];
const body = process.env.REFERENCE_BODY ?? '{}';
const port = Number(process.env.PORT);
const host = process.env.HOST ?? '127.0.0.1';

function nodeHttpHandler(req: http.IncomingMessage, res: http.ServerResponse): void {
  if (req.method === 'GET' && req.url === '/healthz') {
    res.writeHead(200).end();
    return;
  }
  if (req.method !== 'POST' || req.url !== '/v1/chat') {
    res.writeHead(404).end();
    return;
  }
  let raw = '';
  req.setEncoding('utf8');
  req.on('data', (part: string) => (raw += part));
  req.on('end', () => {
    JSON.parse(raw);
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
}

function expressApp(): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(express.json());
  app.get('/healthz', (_req, res) => {
    res.end();
  });
  app.post('/v1/chat', (_req, res) => {
    res.type('application/json').send(body);
  });
  return app;
}

if (kind !== 'node-http' && kind !== 'express') throw new Error(`unknown reference server "${kind}"`);
(kind === 'express' ? expressApp() : http.createServer(nodeHttpHandler)).listen(port, host);
