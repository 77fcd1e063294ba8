/** First, last and two either side of the current page; gaps shown as … (null). */
function pageNumbers(current: number, count: number): (number | null)[] {
  const out: (number | null)[] = [];
  for (let p = 1; p <= count; p++) {
    if (p === 1 || p === count || Math.abs(p - current) <= 2) out.push(p);
    else if (out[out.length - 1] !== null) out.push(null);
  }
  return out;
}

/**
 * ページ送り of a list (デジタル庁デザインシステム's pagination): 前へ, the page numbers, 次へ; the current
 * page marked aria-current. Nothing when the list has one page. Used by 申請一覧 and the staff 作業一覧.
 */
export function Pagination({ page, pageCount, href }: { page: number; pageCount: number; href: (page: number) => string }) {
  if (pageCount <= 1) return null;
  return (
    <nav class="pagination" aria-label="ページ送り">
      <ul class="pagination__list">
        <li>{page > 1 ? <a href={href(page - 1)} rel="prev">前へ</a> : <span aria-disabled="true">前へ</span>}</li>
        {pageNumbers(page, pageCount).map((p) => (
          <li>
            {p === null ? (
              <span aria-hidden="true">…</span>
            ) : p === page ? (
              <span aria-current="page">{p}</span>
            ) : (
              <a href={href(p)} aria-label={`${p}ページ目`}>
                {p}
              </a>
            )}
          </li>
        ))}
        <li>{page < pageCount ? <a href={href(page + 1)} rel="next">次へ</a> : <span aria-disabled="true">次へ</span>}</li>
      </ul>
    </nav>
  );
}
