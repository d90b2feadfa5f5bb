import type { ProblemCodes } from '@marquee/core';

/** The analytics service's problem codes, given to its server. */
export const analyticsProblems = {
  'telemetry.session_ended': { status: 409, title: 'This playback session has ended' },
} as const satisfies ProblemCodes;
