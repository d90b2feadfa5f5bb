import { createReadStream, existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { chooseEncoding, compress, isCompressible } from './content-encoding.js';
import { NotFoundError } from '@marquee/core';
import { normalisePath } from '../app/routing.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

/** Vite puts content-hashed files under /assets/: they never change, so browsers may keep them a year. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** Everything else (index.html above all) is revalidated, so a new build is picked up at once. */
const REVALIDATE = 'no-cache';
/**
 * Files up to this size are read whole (streaming small files is slow) and compressed when the browser
 * accepts it; immutable ones are kept in memory, compressed once per encoding. The app's scripts are
 * below it; larger files (big images) stream as they are.
 */
const MEMORY_LIMIT = 4 * 1024 * 1024;

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Marquee</title></head>
<body><h1>Marquee</h1><p>The web app is not built. Run <code>npm run build -w web</code>, then reload.</p>
<p>The API is up: <a href="/api/openapi.json">/api/openapi.json</a>, <a href="/readyz">/readyz</a>.</p></body></html>`;

/**
 * Serves the built web app from `webDir` (GET and HEAD on every non-/api path), with the single-page
 * app fallback: a path that names no file and has no extension gets index.html, so client-side routes
 * survive a reload. Without a build, a short page says how to make one.
 */
export function webAppRoutes(app: FastifyInstance, webDir: string): void {
  const root = resolve(webDir);
  const built = existsSync(join(root, 'index.html'));
  const memory = new Map<string, Buffer>();

  const memoryCompressed = new Map<string, Promise<Buffer>>();

  const sendFile = async (req: FastifyRequest, reply: FastifyReply, file: string, cacheControl: string) => {
    const type = TYPES[extname(file)] ?? 'application/octet-stream';
    void reply.type(type).header('cache-control', cacheControl);
    const immutable = cacheControl === IMMUTABLE;
    let body = memory.get(file);
    if (!body) {
      const info = await stat(file);
      if (info.size > MEMORY_LIMIT)
        return reply.header('content-length', info.size).send(createReadStream(file));
      body = await readFile(file);
      if (immutable) memory.set(file, body);
    }
    const encoding = chooseEncoding(req.headers['accept-encoding'], type, body.length);
    // Caches in between must keep one copy per encoding.
    if (isCompressible(type)) void reply.header('vary', 'accept-encoding');
    if (!encoding) return reply.send(body);
    let compressed: Promise<Buffer>;
    if (immutable) {
      const key = `${encoding}:${file}`;
      compressed = memoryCompressed.get(key) ?? compress(body, encoding, true);
      memoryCompressed.set(key, compressed);
      compressed.catch(() => memoryCompressed.delete(key));
    } else compressed = compress(body, encoding, false);
    return reply.header('content-encoding', encoding).send(await compressed);
  };

  app.get('/*', { config: { openapi: false } }, async (req, reply) => {
    if (!built)
      return reply.type('text/html; charset=utf-8').header('cache-control', REVALIDATE).send(NOT_BUILT);
    const path = normalisePath(req.url.split('?')[0] ?? '/');
    if (path === undefined) throw new NotFoundError('file', req.url);
    const file = resolve(root, `.${path}`);
    if (file !== root && !file.startsWith(root + sep)) throw new NotFoundError('file', path);
    const isFile = await stat(file).then(
      (s) => s.isFile(),
      () => false,
    );
    if (isFile) return sendFile(req, reply, file, path.startsWith('/assets/') ? IMMUTABLE : REVALIDATE);
    if (extname(path) !== '') throw new NotFoundError('file', path);
    return sendFile(req, reply, join(root, 'index.html'), REVALIDATE);
  });
}
