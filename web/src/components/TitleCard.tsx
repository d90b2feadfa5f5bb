import type { TitleSummary } from '@marquee/contracts/api';
import { Link } from '../app/router';
import { useLingerPrepare } from '../player/prepare-linger';

/** Poster art: the encoder's poster when there is one, else a generated gradient with the name. */
export function Poster({ title }: { title: TitleSummary }) {
  if (title.posterUrl) return <img className="poster-img" src={title.posterUrl} alt="" loading="lazy" />;
  let h = 0;
  for (const c of title.name) h = (h * 17 + c.charCodeAt(0)) % 360;
  return (
    <span
      className="poster-fallback"
      style={{ background: `linear-gradient(135deg, hsl(${h} 60% 30%), hsl(${(h + 60) % 360} 70% 15%))` }}
    >
      {title.name}
    </span>
  );
}

export function TitleCard({ title, rank }: { title: TitleSummary; rank?: number }) {
  // Hovering or focusing a card long enough prepares its playback (instant play).
  const linger = useLingerPrepare(title.titleId);
  return (
    <Link
      href={`/title/${title.titleId}`}
      className="card"
      aria-label={rank === undefined ? title.name : `${rank}. ${title.name}`}
      {...linger}
    >
      <Poster title={title} />
      <span className="card-name">{title.name}</span>
      <ProgressBar share={title.progress ?? 0} />
    </Link>
  );
}

/** How much of a title was watched, as a thin bar (nothing when unwatched or finished). */
export function ProgressBar({ share }: { share: number }) {
  if (!(share > 0)) return null;
  const percent = Math.round(share * 100);
  return (
    <span
      className="progress"
      role="progressbar"
      aria-valuenow={percent}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-label={`${percent}% watched`}
    >
      <span style={{ width: `${Math.min(100, share * 100)}%` }} />
    </span>
  );
}
