import compress from '@fastify/compress';
import type { FastifyInstance } from 'fastify';
import * as zlib from 'node:zlib';

/**
 * zlib's one-shot calls free their native state (a brotli encoder, a zlib window: tens to
 * hundreds of KB) only when the garbage collector finds the engine. A kept status page makes
 * little JavaScript garbage, so collections are rare and that native memory piled up: about
 * 170 MB more resident memory under load (docs/benchmarks.md). These close the engine at once.
 */
type Engine = { buffer: Buffer; engine: { close(): void } };
function closed(result: unknown): Buffer {
  const { buffer, engine } = result as Engine;
  engine.close();
  return buffer;
}

export const promptZlib = {
  createBrotliCompress: zlib.createBrotliCompress,
  createGzip: zlib.createGzip,
  createDeflate: zlib.createDeflate,
  createGunzip: zlib.createGunzip,
  createInflate: zlib.createInflate,
  createBrotliDecompress: zlib.createBrotliDecompress,
  brotliCompressSync: (data: Buffer, options: zlib.BrotliOptions) => closed(zlib.brotliCompressSync(data, { ...options, info: true } as zlib.BrotliOptions)),
  gzipSync: (data: Buffer, options?: zlib.ZlibOptions) => closed(zlib.gzipSync(data, { ...options, info: true } as zlib.ZlibOptions)),
  deflateSync: (data: Buffer, options?: zlib.ZlibOptions) => closed(zlib.deflateSync(data, { ...options, info: true } as zlib.ZlibOptions)),
  deflateRawSync: (data: Buffer, options?: zlib.ZlibOptions) => closed(zlib.deflateRawSync(data, { ...options, info: true } as zlib.ZlibOptions)),
  inflateRawSync: (data: Buffer, options?: zlib.ZlibOptions) => closed(zlib.inflateRawSync(data, { ...options, info: true } as zlib.ZlibOptions)),
  gunzipSync: (data: Buffer, options?: zlib.ZlibOptions) => closed(zlib.gunzipSync(data, { ...options, info: true } as zlib.ZlibOptions)),
};

/**
 * Pages and API answers of 1 KB or more, brotli or gzip as the client accepts; the static assets
 * come precompressed (plugins/assets.ts). Measured (docs/benchmarks.md): the plugin's stream path
 * cost about 1.3 ms of CPU per 13 KB page on this project's 2-core machine, its synchronous path
 * at brotli quality 1 about 70 µs for a page a fifth larger than brotli 4's (6.3 KB instead of
 * 5.5 KB of 18.5 KB); so every page goes the synchronous way, at quality 1.
 */
export async function registerCompression(app: FastifyInstance): Promise<void> {
  await app.register(compress, {
    encodings: ['br', 'gzip'],
    threshold: 1024,
    syncThreshold: 1024 * 1024,
    // A 64 KB window (pages are 8–20 KB): the default 4 MB one costs its allocation at every page.
    brotliOptions: { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 1, [zlib.constants.BROTLI_PARAM_LGWIN]: 16 } },
    zlibOptions: { level: 1 },
    zlib: promptZlib,
  });
}
