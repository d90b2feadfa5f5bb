import { REQUEST_REFUSED, type ProblemCodes } from '@marquee/core';

/**
 * The recommender's problem codes, given to its server. Both are failures of what it reads (an event, an
 * answer of users), never given a status of their own: they answer as an unknown code does.
 */
export const recommenderProblems = {
  'recommender.unreadable_event': REQUEST_REFUSED,
  'recommender.users_answer': REQUEST_REFUSED,
} as const satisfies ProblemCodes;
