import http from 'node:http';
import type { Express } from 'express';

/**
 * The HTTP server of an express app. Express gives every request and response its own
 * prototype (Object.setPrototypeOf in app.handle), and V8 drops its fast paths for an
 * object whose prototype changes after it was made: that cost a cache hit ~40% of the
 * service's CPU (docs/benchmarks.md). Here node:http makes them with express's
 * prototypes from the start, and express's call changes nothing.
 *
 * node:http's IncomingMessage and ServerResponse are plain constructor functions, so
 * they can initialise an object made with another prototype; the server test fails
 * first should a Node version turn them into classes.
 */
export function createHttpServer(app: Express): http.Server {
  function Request(this: http.IncomingMessage, ...args: unknown[]): void {
    Reflect.apply(http.IncomingMessage, this, args);
  }
  Request.prototype = app.request;
  function Response(this: http.ServerResponse, ...args: unknown[]): void {
    Reflect.apply(http.ServerResponse, this, args);
  }
  Response.prototype = app.response;
  return http.createServer(
    {
      IncomingMessage: Request as unknown as typeof http.IncomingMessage,
      ServerResponse: Response as unknown as typeof http.ServerResponse,
    },
    app,
  );
}
