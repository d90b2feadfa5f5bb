import { useCallback, useEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { HomeRow } from '@marquee/contracts/api';
import { Icon } from './Icon';
import { TitleCard } from './TitleCard';

/** The home API's popularity row: shown as a numbered Top 10. The recommender names it `popular`. */
export function isTopRow(row: HomeRow): boolean {
  return /^(popular|top)/i.test(row.id);
}

/**
 * A shelf of cards that scrolls sideways: arrows for a mouse (shown while there is more that way),
 * swipe for touch (native overflow scrolling), and Left/Right for a keyboard (focus moves card to
 * card, and a focused card scrolls into view).
 */
export function Row({ row, ranked = false }: { row: HomeRow; ranked?: boolean }) {
  const list = useRef<HTMLUListElement>(null);
  const [more, setMore] = useState({ back: false, forward: false });
  const items = ranked ? row.items.slice(0, 10) : row.items;

  const measure = useCallback(() => {
    const el = list.current;
    if (!el) return;
    // One pixel of slack: fractional widths leave scrollLeft a hair short of the end.
    setMore({
      back: el.scrollLeft > 1,
      forward: el.scrollLeft + el.clientWidth < el.scrollWidth - 1,
    });
  }, []);

  useEffect(() => {
    const el = list.current;
    if (!el) return;
    measure();
    el.addEventListener('scroll', measure, { passive: true });
    const resize = new ResizeObserver(measure);
    resize.observe(el);
    return () => {
      el.removeEventListener('scroll', measure);
      resize.disconnect();
    };
  }, [measure, items.length]);

  const page = (direction: 1 | -1) => {
    const el = list.current;
    if (!el) return;
    const reduced = window.matchMedia('(prefers-reduced-motion: reduce)').matches;
    el.scrollBy({ left: direction * el.clientWidth * 0.85, behavior: reduced ? 'auto' : 'smooth' });
  };

  const onKeyDown = (e: KeyboardEvent<HTMLUListElement>) => {
    if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
    const cards = Array.from(list.current?.querySelectorAll<HTMLElement>('a.card') ?? []);
    const at = cards.indexOf(document.activeElement as HTMLElement);
    if (at < 0) return;
    const next = cards[at + (e.key === 'ArrowRight' ? 1 : -1)];
    if (!next) return;
    e.preventDefault();
    next.focus();
    next.scrollIntoView({ block: 'nearest', inline: 'nearest' });
  };

  if (items.length === 0) return null;
  const heading = ranked ? 'Top 10 on Marquee' : row.title;
  return (
    <section className={ranked ? 'row top-ten' : 'row'} aria-labelledby={`row-${row.id}`}>
      <h2 id={`row-${row.id}`}>{heading}</h2>
      <div className="row-scroller">
        <button
          type="button"
          className="row-arrow back"
          aria-label={`Scroll ${heading} back`}
          hidden={!more.back}
          onClick={() => page(-1)}
        >
          <Icon name="chevronLeft" size="2rem" />
        </button>
        <ul className="row-items" ref={list} onKeyDown={onKeyDown}>
          {items.map((item, i) => (
            <li key={item.titleId}>
              {ranked && (
                <span className="rank" aria-hidden="true">
                  {i + 1}
                </span>
              )}
              <TitleCard title={item} rank={ranked ? i + 1 : undefined} />
            </li>
          ))}
        </ul>
        <button
          type="button"
          className="row-arrow forward"
          aria-label={`Scroll ${heading} forward`}
          hidden={!more.forward}
          onClick={() => page(1)}
        >
          <Icon name="chevronRight" size="2rem" />
        </button>
      </div>
    </section>
  );
}
