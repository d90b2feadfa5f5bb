import { Type } from '@sinclair/typebox';
import type { SettingsFragment } from '@marquee/core';

/**
 * The edge's own settings, declared beside the code that reads them (index.ts); the CLI composes them
 * into the one validated schema, and the README's table lists them. Only the edge reads these.
 *
 * EDGE_TLS, EDGE_TLS_CERT, EDGE_TLS_KEY and EDGE_PUBLIC_URLS stay core's, with MARQUEE_EDGE_PORTS and
 * MARQUEE_EDGE_URLS: they say how the rest of the platform reaches the edges — the composition root
 * derives from them the scheme of every edge URL (and refuses plain-HTTP MARQUEE_EDGE_URLS with TLS
 * on), the certificate the gateway's edge probes trust, and the public edge URLs streaming hands
 * players and the gateway's CSP allows — so they are topology, read outside the edge, and every
 * settings object (core's loadSettings too, as the CLI's platform tests start platforms with) has
 * them. EDGE_TLS_KEY is read by the edge alone but stays beside its certificate: EDGE_TLS=files needs
 * the pair.
 */
export const edgeSettings = {
  EDGE_RAM_BYTES: Type.Integer({
    minimum: 1024 * 1024,
    default: 256 * 1024 ** 2,
    description: 'RAM cache tier of each edge (hot segments and playlists), bytes',
  }),
  EDGE_DISK_BYTES: Type.Integer({
    minimum: 1024 * 1024,
    default: 4 * 1024 ** 3,
    description: 'disk cache tier of each edge (under the data dir), bytes',
  }),
  EDGE_HTTP2: Type.Boolean({
    default: false,
    description:
      "edges with TLS on also speak HTTP/2 (ALPN h2 beside http/1.1): a browser then fetches an edge's playlists and segments over one connection and one handshake. Off by default: on loopback HTTP/1.1 (the lean responder) started playback sooner (docs/benchmarks.md, Playback start)",
  }),
  EDGE_LEAN_HTTP: Type.Boolean({
    default: true,
    description:
      "new HTTP/1.1 connections meet the edge's own lean responder for media GET/HEAD first (docs/streaming.md, Serving path); false leaves every connection to Node's HTTP server, which answers media the same at about a sixth less throughput for 1 MiB segments (docs/benchmarks.md, Edge)",
  }),
} satisfies SettingsFragment;
