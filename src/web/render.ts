import type { FastifyReply } from 'fastify';
import type { VNode } from 'preact';
import { render } from 'preact-render-to-string';

/** A whole HTML document from a page component. preact escapes every text and attribute value. */
export function renderDocument(vnode: VNode): string {
  return `<!DOCTYPE html>${render(vnode)}`;
}

/** The one way to send a page: HTML, never stored by a browser or a proxy (pages carry CSRF tokens and personal data). */
export function sendHtml(reply: FastifyReply, status: number, body: string) {
  return reply.code(status).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(body);
}
