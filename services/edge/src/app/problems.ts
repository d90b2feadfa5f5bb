import { withStatus, type ProblemCodes } from '@marquee/core';
import { MEDIA_REFUSALS } from './access.js';

/** The edge's problem codes, for its server and its lean media answers: every token refusal is a 403. */
export const edgeProblems = {
  ...withStatus(403, MEDIA_REFUSALS),
  'media.dash_unavailable': { status: 409, title: 'This asset plays with HLS only' },
  'edge.origin_unavailable': { status: 502, title: 'The origin could not be reached' },
  'edge.origin_invalid': { status: 502, title: 'The origin answered something unusable' },
} as const satisfies ProblemCodes;
