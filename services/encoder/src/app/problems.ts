import { REQUEST_REFUSED, type ProblemCodes } from '@marquee/core';

/**
 * The encoder's problem codes, given to its server. They end encoding jobs rather than answer requests,
 * and were never given a status of their own: they answer as an unknown code does.
 */
export const encoderProblems = {
  'media.rejected': REQUEST_REFUSED,
  'media.tool_failed': REQUEST_REFUSED,
  'media.tools_unavailable': REQUEST_REFUSED,
} as const satisfies ProblemCodes;
