import { renderToString } from 'preact-render-to-string';
import { describe, expect, it } from 'vitest';
import { Pagination } from '../../../src/web/components/Pagination.js';

const href = (p: number) => `/list?page=${p}`;

describe('Pagination (申請一覧 and the staff 作業一覧)', () => {
  it('shows nothing for a list of one page', () => {
    expect(renderToString(<Pagination page={1} pageCount={1} href={href} />)).toBe('');
  });

  it('shows 前へ, the first, last and two either side of the current page with gaps, and 次へ', () => {
    const html = renderToString(<Pagination page={5} pageCount={10} href={href} />);
    expect(html).toContain('<nav class="pagination" aria-label="ページ送り">');
    expect(html).toContain('<a href="/list?page=4" rel="prev">前へ</a>');
    expect(html).toContain('<a href="/list?page=6" rel="next">次へ</a>');
    expect(html).toContain('<span aria-current="page">5</span>');
    const shown = [...html.matchAll(/aria-label="(\d+)ページ目"/g)].map((m) => Number(m[1]));
    expect(shown).toEqual([1, 3, 4, 6, 7, 10]);
    expect(html.match(/<span aria-hidden="true">…<\/span>/g)).toHaveLength(2);
  });

  it('greys 前へ on the first page and 次へ on the last', () => {
    expect(renderToString(<Pagination page={1} pageCount={3} href={href} />)).toContain('<span aria-disabled="true">前へ</span>');
    expect(renderToString(<Pagination page={3} pageCount={3} href={href} />)).toContain('<span aria-disabled="true">次へ</span>');
  });
});
