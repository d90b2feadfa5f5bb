import { historyApi } from '../api/endpoints';
import { useLoad } from './use-api';
import type { Viewing } from './viewing-rules';

/** The profile's history, newest first, keyed by profile; empty until it loads (or if it fails). */
export function useViewingHistory(profileId: string | undefined): Viewing[] {
  const history = useLoad(profileId ? `history:${profileId}` : null, (signal) =>
    historyApi.all(profileId!, signal),
  );
  return history.data ?? [];
}
