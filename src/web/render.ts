import type { VNode } from 'preact';
import { render } from 'preact-render-to-string';

/** A whole HTML document from a page component. preact escapes every text and attribute value. */
export function renderDocument(vnode: VNode): string {
  return `<!DOCTYPE html>${render(vnode)}`;
}
