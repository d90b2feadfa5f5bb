import { describe, expect, it } from 'vitest';
import { MAX_HEAD_BYTES, parseRequestHead } from './request-head.js';

const parse = (text: string) => parseRequestHead(Buffer.from(text, 'latin1'));
const media = '/t/tok.sig/a/asset-1/v720/seg_00001.m4s';

describe('parseRequestHead', () => {
  it('reads a media GET or HEAD: method, target, headers by lower-case name, and where it ends', () => {
    const head = `GET ${media} HTTP/1.1\r\nHost: edge\r\nRange:  bytes=0-9 \r\nAccept: a\r\naccept: b\r\n\r\n`;
    const parsed = parse(`${head}GET /next`);
    expect(parsed).toEqual({
      kind: 'request',
      method: 'GET',
      url: media,
      headers: { host: 'edge', range: 'bytes=0-9', accept: 'a, b' },
      close: false,
      length: head.length,
    });
    expect(parse(`HEAD ${media} HTTP/1.1\r\nHost: e\r\nConnection: keep-alive, Close\r\n\r\n`)).toMatchObject(
      {
        kind: 'request',
        method: 'HEAD',
        close: true,
      },
    );
  });

  it('waits for the rest of a head, up to the size Node allows', () => {
    expect(parse(`GET ${media} HTTP/1.1\r\nHost: e\r\n`)).toEqual({ kind: 'incomplete' });
    expect(parse(`GET ${media} HTTP/1.1\r\nX: ${'a'.repeat(MAX_HEAD_BYTES)}`)).toEqual({ kind: 'handoff' });
    expect(parse(`GET ${media} HTTP/1.1\r\nX: ${'a'.repeat(MAX_HEAD_BYTES)}\r\n\r\n`)).toEqual({
      kind: 'handoff',
    });
  });

  it('hands everything else to Node', () => {
    for (const head of [
      `POST ${media} HTTP/1.1\r\nHost: e\r\n\r\n`,
      `OPTIONS ${media} HTTP/1.1\r\nHost: e\r\n\r\n`,
      `GET /metrics HTTP/1.1\r\nHost: e\r\n\r\n`,
      `GET http://e${media} HTTP/1.1\r\nHost: e\r\n\r\n`,
      `GET ${media} HTTP/1.0\r\nHost: e\r\n\r\n`,
      `GET ${media} HTTP/2.0\r\nHost: e\r\n\r\n`,
      `GET  ${media} HTTP/1.1\r\nHost: e\r\n\r\n`,
      `GET ${media}\u0001 HTTP/1.1\r\nHost: e\r\n\r\n`,
      `GET ${media} HTTP/1.1\r\n\r\n`,
      `GET ${media} HTTP/1.1\r\nHost: e\r\n folded\r\n\r\n`,
      `GET ${media} HTTP/1.1\r\nHost: e\nX: bare-lf\r\n\r\n`,
      `GET ${media} HTTP/1.1\r\nHost: e\r\nX: a\u0000b\r\n\r\n`,
      `GET ${media} HTTP/1.1\r\nHost: e\r\nBad Name: x\r\n\r\n`,
      `GET ${media} HTTP/1.1\r\nHost: e\r\nContent-Length: 0\r\n\r\n`,
      `GET ${media} HTTP/1.1\r\nHost: e\r\nTransfer-Encoding: chunked\r\n\r\n`,
      `GET ${media} HTTP/1.1\r\nHost: e\r\nExpect: 100-continue\r\n\r\n`,
      `GET ${media} HTTP/1.1\r\nHost: e\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n`,
      `GET ${media} HTTP/1.1\r\nHost: e\r\nRange: bytes=0-1\r\nRange: bytes=5-9\r\n\r\n`,
      `GET ${media} HTTP/1.1\r\nHost: e\r\nHost: f\r\n\r\n`,
      `GET ${media} HTTP/1.1\nHost: e\n\n`,
    ]) {
      expect(parse(head), JSON.stringify(head)).toEqual({ kind: 'handoff' });
    }
  });
});
