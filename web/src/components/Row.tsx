import type { HomeRow } from '@marquee/contracts/api';
import { TitleCard } from './TitleCard';

export function Row({ row }: { row: HomeRow }) {
  if (row.items.length === 0) return null;
  return (
    <section className="row" aria-labelledby={`row-${row.id}`}>
      <h2 id={`row-${row.id}`}>{row.title}</h2>
      <ul className="row-items">
        {row.items.map((item) => (
          <li key={item.titleId}>
            <TitleCard title={item} />
          </li>
        ))}
      </ul>
    </section>
  );
}
