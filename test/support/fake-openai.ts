import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CHAT_COMPLETIONS_PATH,
  chatCompletion,
  chatCompletionStream,
  chatCompletionStreamEvents,
  chatResponseHeaders,
  openAIErrorBody,
  type ChatCompletionsRequestBody,
} from '../fixtures/openai/chat-completions.fixture.js';
import { buildEmbeddingsResponse, embeddingsResponseHeaders, type EmbeddingsRequestBody } from '../fixtures/openai/embeddings-response.fixture.js';

/** How the fake answers one chat completions request (streamed or not, as `body.stream` says). */
export type ChatReply = (body: ChatCompletionsRequestBody, res: ServerResponse) => void;

/** A whole answer: a completion, or a stream with its finish chunk, usage and `[DONE]`. */
export const wholeAnswer =
  (tokens: string[]): ChatReply =>
  (body, res) => {
    if (body.stream) {
      res.writeHead(200, chatResponseHeaders('text/event-stream')).end(chatCompletionStream(tokens));
    } else {
      res.writeHead(200, chatResponseHeaders()).end(JSON.stringify(chatCompletion(tokens.join(''))));
    }
  };

/** 200 with any body: what a misconfigured proxy or a broken compatible server sends. */
export const rawBody =
  (contentType: string, text: string): ChatReply =>
  (_body, res) => {
    res.writeHead(200, chatResponseHeaders(contentType)).end(text);
  };

/** A stream that ends cleanly after some tokens, with no finish reason and no `[DONE]`. */
export const cutStream =
  (tokens: string[]): ChatReply =>
  (_body, res) => {
    // The role chunk and the tokens; the finish chunk, the usage chunk and [DONE] never come.
    const events = chatCompletionStreamEvents(tokens).slice(0, 1 + tokens.length);
    res.writeHead(200, chatResponseHeaders('text/event-stream')).end(events.join(''));
  };

/**
 * An OpenAI-compatible server on loopback: real HTTP, so the SDK's own parsing of bodies
 * and streams is what is tested. Chat replies are set per test; embeddings fail with
 * `embeddingsStatus` (an OpenAI error body), or answer vectors when it is 200.
 */
export class FakeOpenAI {
  chatReply: ChatReply = wholeAnswer(['ok']);
  embeddingsStatus = 500;
  readonly chatRequests: ChatCompletionsRequestBody[] = [];
  private constructor(
    private readonly server: Server,
    readonly baseURL: string,
  ) {}

  static async start(): Promise<FakeOpenAI> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const fake = new FakeOpenAI(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => void fake.handle(req, res));
    return fake;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let text = '';
    for await (const chunk of req) text += String(chunk);
    if (req.url === CHAT_COMPLETIONS_PATH) {
      const body = JSON.parse(text) as ChatCompletionsRequestBody;
      this.chatRequests.push(body);
      this.chatReply(body, res);
      return;
    }
    if (this.embeddingsStatus === 200) {
      const body = JSON.parse(text) as EmbeddingsRequestBody;
      res.writeHead(200, embeddingsResponseHeaders()).end(JSON.stringify(buildEmbeddingsResponse(body)));
      return;
    }
    res.writeHead(this.embeddingsStatus, { 'content-type': 'application/json' }).end(JSON.stringify(openAIErrorBody('server_error')));
  }
}
