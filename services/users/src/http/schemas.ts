import { Type, type Static } from '@sinclair/typebox';
import { MaturitySchema, PlanSchema, RoleSchema } from '@marquee/contracts';

/**
 * Request and response schemas of the users API. Bodies refuse unknown properties so a typo answers
 * a precise 400 instead of being ignored; responses are serialised through their schema, so nothing
 * beyond the listed fields (a password hash, say) can ever leave.
 */
export const Id = Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9][A-Za-z0-9_.:-]*$' });
export { MaturitySchema, PlanSchema, RoleSchema };
const Instant = Type.String({ format: 'date-time' });
/** Long enough for any policy-conforming password; the policy itself answers a precise reason. */
const Password = Type.String({ minLength: 1, maxLength: 1024 });
const Email = Type.String({ minLength: 3, maxLength: 320 });

export const SignupBody = Type.Object(
  { email: Email, password: Password, plan: Type.Optional(PlanSchema) },
  { additionalProperties: false },
);
export const LoginBody = Type.Object({ email: Email, password: Password }, { additionalProperties: false });
export const RefreshBody = Type.Object(
  { refreshToken: Type.String({ minLength: 1, maxLength: 256 }) },
  { additionalProperties: false },
);
export const TokenPairSchema = Type.Object({
  accountId: Type.String(),
  accessToken: Type.String(),
  refreshToken: Type.String(),
  expiresIn: Type.Integer({ description: 'seconds until the access token expires' }),
});

export const AccountSchema = Type.Object({
  accountId: Type.String(),
  email: Type.String(),
  plan: PlanSchema,
  role: RoleSchema,
  createdAt: Instant,
  pendingPlan: Type.Union([PlanSchema, Type.Null()], {
    description: 'a plan asked for that billing (by default the operator) has not granted yet',
  }),
  emailVerified: Type.Optional(
    Type.Boolean({ description: 'the account confirmed its address through the mailed link' }),
  ),
});
export const PendingPlanSchema = Type.Composite([
  AccountSchema,
  Type.Object({ detail: Type.String({ description: 'what happens next' }) }),
]);
export const PlanChangeSchema = Type.Object({
  accountId: Type.String(),
  email: Type.String(),
  plan: PlanSchema,
  requestedPlan: PlanSchema,
  detail: Type.String(),
  requestedAt: Instant,
});
export const PlanDecisionBody = Type.Object(
  { approve: Type.Boolean({ description: 'true grants the requested plan, false declines it' }) },
  { additionalProperties: false },
);
export const PlanBody = Type.Object({ plan: PlanSchema }, { additionalProperties: false });
export const PasswordChangeBody = Type.Object(
  { currentPassword: Password, newPassword: Password },
  { additionalProperties: false },
);
export const SessionSchema = Type.Object({
  sessionId: Type.String(),
  createdAt: Instant,
  lastUsedAt: Instant,
  expiresAt: Instant,
  userAgent: Type.Union([Type.String(), Type.Null()]),
  current: Type.Boolean({ description: 'the session of the access token used for this call' }),
});

export const ProfileSchema = Type.Object({
  profileId: Type.String(),
  name: Type.String(),
  kids: Type.Boolean(),
  maxMaturity: MaturitySchema,
  locked: Type.Optional(
    Type.Boolean({
      description:
        'a PIN guards the profile: an adult one opens only with it, a kids one is left only with it',
    }),
  ),
});
const ProfileName = Type.String({ minLength: 1, maxLength: 40 });
export const NewProfileBody = Type.Object(
  { name: ProfileName, kids: Type.Optional(Type.Boolean()), maxMaturity: Type.Optional(MaturitySchema) },
  { additionalProperties: false },
);
export const ProfilePatchBody = Type.Object(
  {
    name: Type.Optional(ProfileName),
    kids: Type.Optional(Type.Boolean()),
    maxMaturity: Type.Optional(MaturitySchema),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const ListItemSchema = Type.Object({ titleId: Type.String(), addedAt: Instant });
export const Thumb = Type.Union([Type.Literal('up'), Type.Literal('down')]);
export const RatingBody = Type.Object(
  { rating: Type.Union([Thumb, Type.Null()], { description: 'null clears the rating' }) },
  { additionalProperties: false },
);
export const RatingSchema = Type.Object({
  titleId: Type.String(),
  rating: Type.Union([Thumb, Type.Null()]),
  ratedAt: Type.Union([Instant, Type.Null()]),
});
export const HistoryItemSchema = Type.Object({
  titleId: Type.String(),
  position: Type.Number({ description: 'resume position, seconds' }),
  duration: Type.Union([Type.Number(), Type.Null()]),
  completed: Type.Boolean(),
  startedAt: Instant,
  lastWatchedAt: Instant,
});

export const Items = <T extends Parameters<typeof Type.Array>[0]>(item: T) =>
  Type.Object({ items: Type.Array(item) });

export const ProfileParams = Type.Object({ profileId: Id });
export const ProfileTitleParams = Type.Object({ profileId: Id, titleId: Id });
export const SessionParams = Type.Object({ sessionId: Id });
export const AccountParams = Type.Object({ accountId: Id });
export const LimitQuery = Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })) });

export type SignupBody = Static<typeof SignupBody>;
export type LoginBody = Static<typeof LoginBody>;
export type RefreshBody = Static<typeof RefreshBody>;
export type PlanBody = Static<typeof PlanBody>;
export type PlanDecisionBody = Static<typeof PlanDecisionBody>;
export type PasswordChangeBody = Static<typeof PasswordChangeBody>;
export type NewProfileBody = Static<typeof NewProfileBody>;
export type ProfilePatchBody = Static<typeof ProfilePatchBody>;
export type RatingBody = Static<typeof RatingBody>;
export type ProfileParams = Static<typeof ProfileParams>;
export type ProfileTitleParams = Static<typeof ProfileTitleParams>;
export type SessionParams = Static<typeof SessionParams>;
export type AccountParams = Static<typeof AccountParams>;
export type LimitQuery = Static<typeof LimitQuery>;
