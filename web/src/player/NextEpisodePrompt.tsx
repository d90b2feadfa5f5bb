import { Icon } from '../components/Icon';
import { episodeCode } from '../app/viewing-rules';
import type { NextEpisode } from './episodes';

/**
 * "Next episode in 5": shown over the end of an episode with the time left; the next one starts when
 * it reaches 0, at once with Play, or not at all with "Watch credits".
 */
export function NextEpisodePrompt({
  next,
  seconds,
  onPlay,
  onDismiss,
}: {
  next: NextEpisode;
  seconds: number;
  onPlay: () => void;
  onDismiss: () => void;
}) {
  return (
    <section className="player-overlay next-episode" aria-label="Next episode">
      <p className="next-name">
        Up next: {episodeCode(next.season, next.number)} {next.name}
      </p>
      <p className="next-countdown" aria-live="polite" aria-atomic="true">
        Next episode in {seconds}
      </p>
      <div className="actions">
        <button className="primary" onClick={onPlay}>
          <Icon name="play" /> Play next episode
        </button>
        <button className="secondary" onClick={onDismiss}>
          Watch credits
        </button>
      </div>
    </section>
  );
}
