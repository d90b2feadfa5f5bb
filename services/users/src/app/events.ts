import type { NewEvent } from '@marquee/platform';
import type { Maturity, Plan } from '@marquee/contracts';

/** The events users publishes (through its outbox); data shapes follow the platform's catalogue. */
const SOURCE = 'users';

export function userCreated(accountId: string, plan: Plan): NewEvent {
  return { type: 'user.created', source: SOURCE, subject: accountId, data: { accountId, plan } };
}

export function profileCreated(
  accountId: string,
  profileId: string,
  kids: boolean,
  maxMaturity: Maturity,
): NewEvent {
  return {
    type: 'profile.created',
    source: SOURCE,
    subject: profileId,
    data: { accountId, profileId, kids, maxMaturity },
  };
}

export function titleRated(
  accountId: string,
  profileId: string,
  titleId: string,
  rating: 'up' | 'down' | null,
): NewEvent {
  return {
    type: 'title.rated',
    source: SOURCE,
    subject: profileId,
    data: { accountId, profileId, titleId, rating },
  };
}

export function myListChanged(
  accountId: string,
  profileId: string,
  titleId: string,
  inList: boolean,
): NewEvent {
  return {
    type: 'mylist.changed',
    source: SOURCE,
    subject: profileId,
    data: { accountId, profileId, titleId, inList },
  };
}

/** Ids only: the receivers delete what they hold under them (DESIGN.md event catalogue). */
export function accountDeleted(accountId: string, profileIds: string[]): NewEvent {
  return { type: 'account.deleted', source: SOURCE, subject: accountId, data: { accountId, profileIds } };
}
