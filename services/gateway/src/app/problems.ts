import type { ProblemCodes } from '@marquee/core';

/** The gateway's own problem codes, given to its server (users answers profile.confined the same). */
export const gatewayProblems = {
  'profile.locked': { status: 403, title: 'This profile is locked' },
  'profile.confined': { status: 403, title: 'This device is in a kids profile' },
} as const satisfies ProblemCodes;
