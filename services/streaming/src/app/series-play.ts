// The rule lives in contracts: the web app's Play button names the episode this picks.
export { episodeToPlay, type EpisodeRef, type ViewingRef } from '@marquee/contracts/series-play';
