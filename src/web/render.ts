import type { FastifyReply } from 'fastify';
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
