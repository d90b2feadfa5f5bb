/**
 * How strongly one profile's history with one title says "more like this" — the value of its cell in
 * the interaction matrix. Pure policy, tested on its own:
 *
 *   implicit = 0 if never played; 1 if finished (≥ 90 %); else 0.2 + 0.8·completion
 *   weight   = min(2, implicit + 0.3·[in My List] + 1·[thumbs up]),   0 for a thumbs down
 *
 * A start that was abandoned after a minute still says something (0.2), a finished title says much
 * more; an explicit thumbs up outweighs any amount of watching, and a thumbs down removes the title
 * from the profile's signal altogether (and from its recommendations).
 */
export interface InteractionFacts {
  played: boolean;
  completion: number;
  rating: 'up' | 'down' | null;
  inList: boolean;
}

export const FINISHED_COMPLETION = 0.9;
export const MAX_WEIGHT = 2;

export function isFinished(facts: Pick<InteractionFacts, 'completion'>): boolean {
  return facts.completion >= FINISHED_COMPLETION;
}

export function interactionWeight(facts: InteractionFacts): number {
  if (facts.rating === 'down') return 0;
  const completion = Math.min(1, Math.max(0, facts.completion));
  const implicit = !facts.played ? 0 : isFinished(facts) ? 1 : 0.2 + 0.8 * completion;
  const explicit = (facts.inList ? 0.3 : 0) + (facts.rating === 'up' ? 1 : 0);
  return Math.min(MAX_WEIGHT, implicit + explicit);
}

/** Share watched from a playback position, or undefined when the duration is unknown. */
export function completionOf(position: number, duration: number | undefined): number | undefined {
  if (duration === undefined || !(duration > 0)) return undefined;
  return Math.min(1, Math.max(0, position / duration));
}
