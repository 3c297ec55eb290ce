// Echo backend for proxy tests: answers every HTTP request with JSON {method, url, headers, body}
// and echoes websocket messages as JSON {url, received}; records everything it received.
// A request header `x-echo-status: <n>` makes it answer with that status.

import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';

export interface EchoedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface EchoedMessage {
  url: string;
  received: string;
}

export interface EchoBackend {
  url: string;
  port: number;
  requests: EchoedRequest[];
  wsMessages: EchoedMessage[];
  close(): Promise<void>;
}

export async function startEchoBackend(host = '127.0.0.1'): Promise<EchoBackend> {
  const requests: EchoedRequest[] = [];
  const wsMessages: EchoedMessage[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const record: EchoedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(record);
      const status = Number(req.headers['x-echo-status'] ?? 200);
      const text = JSON.stringify(record);
      res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
      res.end(text);
    });
  });
  const wss = new WebSocketServer({ server });
  wss.on('connection', (ws, req) => {
    ws.on('message', (data) => {
      const message = { url: req.url ?? '', received: String(data) };
      wsMessages.push(message);
      ws.send(JSON.stringify(message));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${port}`,
    port,
    requests,
    wsMessages,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
