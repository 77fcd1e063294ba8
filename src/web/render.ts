import { negotiate } from '@fastify/accept-negotiator';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { VNode } from 'preact';
import { render } from 'preact-render-to-string';

/** A whole HTML document from a page component. preact escapes every text and attribute value. */
export function renderDocument(vnode: VNode): string {
  return `<!DOCTYPE html>${render(vnode)}`;
}

/** A part of a page (e.g. a banner put into a kept page at send time), escaped as every page is. */
export function renderFragment(vnode: VNode): string {
  return render(vnode);
}

/** The one way to send a page: HTML, never stored by a browser or a proxy (pages carry CSRF tokens and personal data). */
export function sendHtml(reply: FastifyReply, status: number, body: string | Buffer) {
  return reply.code(status).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(body);
}

// Browsers send one of a few Accept-Encoding headers: each is negotiated once (forgotten beyond 100).
const gzipAccepted = new Map<string, boolean>();

/** Whether the client takes a gzip body (Accept-Encoding, with its q-values): a kept page can then go out as spliced gzip. */
export function acceptsGzip(req: FastifyRequest): boolean {
  const header = req.headers['accept-encoding'];
  if (typeof header !== 'string') return false;
  let accepted = gzipAccepted.get(header);
  if (accepted === undefined) {
    if (gzipAccepted.size >= 100) gzipAccepted.clear();
    accepted = negotiate(header, ['gzip']) === 'gzip';
    gzipAccepted.set(header, accepted);
  }
  return accepted;
}

/** A page already compressed as gzip (a kept page spliced from its parts): the compression plugin leaves it as it is. */
export function sendGzippedHtml(reply: FastifyReply, status: number, body: Buffer) {
  return sendHtml(reply.header('content-encoding', 'gzip').header('vary', 'accept-encoding'), status, body);
}
