import { Type, type Static, type TObject, type TProperties } from '@sinclair/typebox';
import { ConfigError, parseConfig } from './config.js';
import { MASTER_KEYS_PATTERN } from './content-keys.js';

export const SERVICE_NAMES = [
  'gateway',
  'users',
  'streaming',
  'recommender',
  'encoder',
  'edge',
  'storage',
  'analytics',
] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

const Port = (def: number, description: string) =>
  Type.Integer({ minimum: 0, maximum: 65535, default: def, description });
const UrlList = (description: string) =>
  Type.Optional(Type.String({ pattern: '^https?://[^\\s,]+(,https?://[^\\s,]+)*$', description }));
const Bool = (def: boolean, description: string) => Type.Boolean({ default: def, description });

/**
 * A part of the settings schema declared beside the code that reads it (ENCODER_* in
 * services/encoder/src/settings.ts, the edge's cache tiers and HTTP choices in
 * services/edge/src/settings.ts, RECS_* in services/recommender/src/settings.ts, LAKE_RETENTION_DAYS
 * in services/analytics/src/settings.ts): variable name → TypeBox schema, which is both the validator
 * and the type. The CLI composes core's fragments and the services' into the one schema, validated once.
 */
export type SettingsFragment = TProperties;
export type FragmentSettings<F extends SettingsFragment> = Static<TObject<F>>;

/**
 * The settings of the platform itself (addresses, backends, backups, ports, media, storage) and its
 * topology: every service's ports and URLs, and how the others reach the edges (EDGE_TLS and its
 * certificate, EDGE_PUBLIC_URLS: the composition root derives edge URLs, the gateway's trust and the
 * public edge URLs from them; services/edge/src/settings.ts says why they are not the edge's). A
 * service's own settings are a fragment beside it. process.env is read only by the CLI, once, through
 * loadSettings().
 */
export const coreSettings = {
  MARQUEE_PORT: Port(8080, 'Gateway and web app port'),
  MARQUEE_HOST: Type.String({
    default: '127.0.0.1',
    minLength: 1,
    description: 'Address every service binds to',
  }),
  MARQUEE_PUBLIC_URL: Type.Optional(
    Type.String({
      pattern: '^https?://',
      description: 'Public base URL of the gateway (default http://MARQUEE_HOST:MARQUEE_PORT)',
    }),
  ),
  MARQUEE_DATA_DIR: Type.String({
    default: './data',
    minLength: 1,
    description: 'SQLite files, event log, blobs, keys',
  }),
  MARQUEE_DEMO: Bool(true, 'Generate and ingest demo titles on first start'),
  MARQUEE_SECRET: Type.Optional(
    Type.String({
      minLength: 32,
      description: 'Internal service secret and media-token key (generated into the data dir when unset)',
    }),
  ),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    { default: 'info', description: 'pino log level' },
  ),
  LOG_FORMAT: Type.Union([Type.Literal('auto'), Type.Literal('json'), Type.Literal('pretty')], {
    default: 'auto',
    description: 'Log lines: auto (readable on a terminal, JSON lines otherwise), json or pretty',
  }),
  SHUTDOWN_DRAIN_MS: Type.Integer({
    minimum: 0,
    maximum: 120_000,
    default: 6_000,
    description:
      'on SIGTERM each server first drains this long: readiness 503 and Connection: close while it still serves, so balancers (the gateway probes every 3 s) and keep-alive clients move off; then it stops accepting and finishes its requests',
  }),
  DATABASE_URL: Type.Optional(
    Type.String({
      pattern: '^postgres(ql)?://',
      description: 'PostgreSQL primary (else SQLite files in the data dir)',
    }),
  ),
  DATABASE_READ_URL: Type.Optional(
    Type.String({
      pattern: '^postgres(ql)?://',
      description: 'PostgreSQL read replica for read-only queries',
    }),
  ),
  REDIS_URL: Type.Optional(
    Type.String({ pattern: '^rediss?://', description: 'Redis (else an in-process LRU cache)' }),
  ),
  MEMCACHED_URL: Type.Optional(
    Type.String({
      pattern: '^memcached://',
      description: 'Memcached as the cache (weaker than Redis: see docs/adapters.md)',
    }),
  ),
  CACHE_URL: Type.Optional(
    Type.String({
      pattern: '^(rediss?|memcached)://',
      description: 'the cache server, redis:// or memcached:// (the same as REDIS_URL or MEMCACHED_URL)',
    }),
  ),
  NATS_URL: Type.Optional(
    Type.String({ pattern: '^(nats|tls)://', description: 'NATS JetStream (else the embedded SQLite log)' }),
  ),
  REDIS_PREFIX: Type.String({
    default: 'marquee:',
    pattern: '^[A-Za-z0-9_.:-]{1,64}$',
    description:
      'cache key prefix on Redis or Memcached (several installs or test runs can share one server)',
  }),
  NATS_STREAM: Type.String({
    default: 'MARQUEE',
    pattern: '^[A-Za-z0-9_-]{1,200}$',
    description: 'JetStream stream of events; dead letters go to the same name + _DLQ',
  }),
  NATS_SUBJECT_PREFIX: Type.String({
    default: 'marquee',
    pattern: '^[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*$',
    description: 'NATS subjects are prefix.event-type; give each install sharing a NATS account its own',
  }),
  S3_ENDPOINT: Type.Optional(
    Type.String({
      pattern: '^https?://',
      description: 'S3-compatible endpoint (with S3_BUCKET: else local files)',
    }),
  ),
  S3_BUCKET: Type.Optional(Type.String({ minLength: 3, description: 'S3 bucket for media and uploads' })),
  S3_REGION: Type.String({ default: 'us-east-1', description: 'S3 region' }),
  S3_ACCESS_KEY_ID: Type.Optional(Type.String({ description: 'S3 access key' })),
  S3_SECRET_ACCESS_KEY: Type.Optional(Type.String({ description: 'S3 secret key' })),
  S3_FORCE_PATH_STYLE: Bool(true, 'Path-style S3 URLs (MinIO, Ceph, s3rver)'),
  BACKUP_INTERVAL: Type.String({
    default: '24h',
    pattern: '^(off|0|[0-9]+(\\.[0-9]+)?(s|m|h|d))$',
    description: 'automatic backups in monolithic mode every 90s, 30m, 6h, 1d…; off disables them',
  }),
  BACKUP_RETENTION: Type.Integer({
    minimum: 1,
    default: 7,
    description: 'backups kept in BACKUP_TARGET; older ones and blobs only they hold are removed',
  }),
  BACKUP_RESTORE_TEST: Bool(
    true,
    'restore-test each scheduled backup (as marquee backup verify does): needs scratch space the size of a backup in TMPDIR',
  ),
  BACKUP_TARGET: Type.Optional(
    Type.String({
      minLength: 1,
      description:
        'where backups go: a directory (default: MARQUEE_DATA_DIR plus -backups, beside it; point it at another disk) or s3://bucket[/prefix] (with the S3_* endpoint and keys)',
    }),
  ),
  MARQUEE_USERS_PORT: Port(0, 'users service port (0 = any free port)'),
  MARQUEE_STREAMING_PORT: Port(0, 'streaming service port (0 = any free port)'),
  MARQUEE_RECOMMENDER_PORT: Port(0, 'recommender service port (0 = any free port)'),
  MARQUEE_ENCODER_PORT: Port(0, 'encoder service port (0 = any free port)'),
  MARQUEE_STORAGE_PORT: Port(0, 'storage service port (0 = any free port)'),
  MARQUEE_ANALYTICS_PORT: Port(0, 'analytics service port (0 = any free port)'),
  MARQUEE_EDGE_PORTS: Type.String({
    default: '0,0',
    pattern: '^\\d+(,\\d+)*$',
    description: 'edge ports, one per edge (monolithic mode runs two)',
  }),
  MARQUEE_USERS_URLS: UrlList('users instances, comma separated (microservices mode)'),
  MARQUEE_STREAMING_URLS: UrlList('streaming instances (microservices mode)'),
  MARQUEE_RECOMMENDER_URLS: UrlList('recommender instances (microservices mode)'),
  MARQUEE_ENCODER_URLS: UrlList('encoder instances (microservices mode)'),
  MARQUEE_STORAGE_URLS: UrlList('storage instances (microservices mode)'),
  MARQUEE_ANALYTICS_URLS: UrlList('analytics instances (microservices mode)'),
  MARQUEE_EDGE_URLS: UrlList(
    'edge instances (microservices mode; https:// with EDGE_TLS on); an edge process finds its ordinal, and so its id, by its port here',
  ),
  MARQUEE_ADMIN_EMAIL: Type.Optional(
    Type.String({ pattern: '^[^@\\s]+@[^@\\s]+$', description: 'First admin account' }),
  ),
  MARQUEE_ADMIN_PASSWORD: Type.Optional(Type.String({ minLength: 12, description: 'First admin password' })),
  PATH: Type.String({
    default: '/usr/local/bin:/usr/bin:/bin',
    description: 'where the system ffmpeg/ffprobe are looked for',
  }),
  FFMPEG_PATH: Type.Optional(
    Type.String({ minLength: 1, description: 'ffmpeg binary (else system, else npm static build)' }),
  ),
  FFPROBE_PATH: Type.Optional(Type.String({ minLength: 1, description: 'ffprobe binary' })),
  MEDIA_ENCRYPTION: Bool(
    true,
    'encrypt new uploads (HLS AES-128, a key per asset, given only to live entitled sessions)',
  ),
  MEDIA_MASTER_KEYS: Type.Optional(
    Type.String({
      pattern: MASTER_KEYS_PATTERN,
      description:
        'master keys wrapping content keys, id:base64(32 bytes), newest first (else derived from MARQUEE_SECRET)',
    }),
  ),
  UPLOAD_MAX_BYTES: Type.Integer({
    minimum: 1,
    default: 20 * 1024 ** 3,
    description: 'largest accepted upload',
  }),
  SOURCE_RETENTION_DAYS: Type.Number({
    minimum: 0,
    default: 30,
    description: "delete an upload's source N days after its asset is ready (0 = keep)",
  }),
  FAILED_UPLOAD_RETENTION_HOURS: Type.Number({
    minimum: 0,
    default: 24,
    description: 'delete unfinished or failed uploads after N hours (0 = keep)',
  }),
  LIFECYCLE_INTERVAL_MINUTES: Type.Number({
    minimum: 0.01,
    default: 60,
    description: 'how often lifecycle policies run',
  }),
  SCRUB_INTERVAL_HOURS: Type.Number({
    minimum: 0,
    default: 24,
    description: 'how often the integrity scrubber re-hashes stored objects (0 = never)',
  }),
  EDGE_TLS: Type.Union([Type.Literal('off'), Type.Literal('self-signed'), Type.Literal('files')], {
    default: 'off',
    description:
      'edge TLS: off (plain HTTP, loopback development), self-signed (generated with openssl on first start, kept in the data dir), files (EDGE_TLS_CERT/EDGE_TLS_KEY); when on, every edge URL is https and the gateway trusts that certificate',
  }),
  EDGE_TLS_CERT: Type.Optional(
    Type.String({
      minLength: 1,
      description: 'PEM certificate chain for EDGE_TLS=files (also what the gateway trusts to probe edges)',
    }),
  ),
  EDGE_TLS_KEY: Type.Optional(
    Type.String({ minLength: 1, description: 'PEM private key for EDGE_TLS=files' }),
  ),
  EDGE_PUBLIC_URLS: UrlList(
    'public base URL of each edge, in MARQUEE_EDGE_PORTS order (default: its listen address)',
  ),
} satisfies SettingsFragment;

/** Who may do what: the gateway's limits and trust, users' sign-in, mail and single sign-on, CORS. */
export const accessSettings = {
  GATEWAY_TRUST_PROXY: Type.String({
    default: '',
    pattern: '^(|true|[0-9A-Fa-f.:/]+(,[0-9A-Fa-f.:/]+)*)$',
    description:
      'proxies in front of the gateway whose X-Forwarded-For is believed (rate limits, logs): addresses or CIDRs, comma separated, or true for any; empty trusts none',
  }),
  RATE_LIMIT_ADDRESS_PER_MINUTE: Type.Integer({
    minimum: 1,
    default: 600,
    description:
      'gateway: requests a minute per client address, counted only for calls without an access token',
  }),
  RATE_LIMIT_ACCOUNT_PER_MINUTE: Type.Integer({
    minimum: 1,
    default: 1200,
    description:
      'gateway: requests a minute per signed-in account (chunks of a tus upload in progress never count)',
  }),
  RATE_LIMIT_CREDENTIALS_PER_ADDRESS: Type.Integer({
    minimum: 1,
    default: 100,
    description:
      'gateway: login, sign-up and password checks per client address in 15 minutes (slowed down past half)',
  }),
  AUTH_FREE_FAILURES: Type.Integer({
    minimum: 1,
    default: 5,
    description:
      'gateway: wrong passwords per account (and per known device of it) before each further try waits 1 s, 2 s, 4 s…',
  }),
  AUTH_BACKOFF_MAX_SECONDS: Type.Integer({
    minimum: 1,
    default: 900,
    description:
      'gateway: the longest wait between password tries on one account; nobody is locked out longer',
  }),
  BILLING_DEFAULT_PLAN: Type.Union(
    [Type.Literal('basic'), Type.Literal('standard'), Type.Literal('premium')],
    {
      default: 'standard',
      description:
        'users: the plan every new account starts on; asking for a higher one (at sign-up or later) waits for an admin to approve it',
    },
  ),
  AUTH_REQUIRE_EMAIL_VERIFICATION: Bool(
    false,
    'streaming: an account must confirm its email address before it can start playback (it can still sign in, browse and ask for the mail again)',
  ),
  SMTP_URL: Type.Optional(
    Type.String({
      pattern: '^smtps?://',
      description:
        'users: the mail server for verification and password-reset mail, smtp://user:pass@host:587 or smtps://…:465 (unset: mail is written to MARQUEE_DATA_DIR/mail and shown in the admin console)',
    }),
  ),
  MAIL_FROM: Type.String({
    default: 'Marquee <no-reply@marquee.localhost>',
    minLength: 3,
    description: 'users: the From of the mail Marquee sends',
  }),
  AUTH_LOCAL_PASSWORDS: Bool(
    true,
    'users: sign-up and sign-in with an email and a password; false leaves single sign-on (OIDC_ISSUER) as the only way in (password reset is refused too)',
  ),
  OIDC_ISSUER: Type.Optional(
    Type.String({
      pattern: '^https?://',
      description:
        'users: an OpenID Connect provider for "Sign in with …" (Keycloak, Authentik, Google…), its issuer URL; the redirect URI to register is MARQUEE_PUBLIC_URL/api/auth/oidc/callback',
    }),
  ),
  OIDC_CLIENT_ID: Type.Optional(
    Type.String({ minLength: 1, description: 'users: the client id Marquee has at the OpenID provider' }),
  ),
  OIDC_CLIENT_SECRET: Type.Optional(
    Type.String({ minLength: 1, description: "users: that client's secret (client_secret_basic)" }),
  ),
  OIDC_NAME: Type.String({
    default: 'single sign-on',
    minLength: 1,
    description: 'users: the provider\'s name on the sign-in button ("Sign in with …")',
  }),
  OIDC_ADMIN_CLAIM: Type.Optional(
    Type.String({
      minLength: 1,
      description:
        'users: a claim that makes an account admin at each single sign-on (e.g. groups); without it, roles are left as they are',
    }),
  ),
  OIDC_ADMIN_VALUE: Type.Optional(
    Type.String({
      minLength: 1,
      description:
        'users: the value of OIDC_ADMIN_CLAIM that means admin (a string equal to it, or a list containing it; unset: the claim being true)',
    }),
  ),
  AUTH_REQUIRE_ADMIN_2FA: Bool(
    false,
    'users: an admin account must use two-step sign-in (TOTP); until it enrols, it signs in with viewer rights only, enough to enrol on the account page',
  ),
  METRICS_TOKEN: Type.Optional(
    Type.String({
      minLength: 16,
      description:
        "gateway: bearer token a scraper presents for the public port's /metrics (unset: the gateway answers no /metrics)",
    }),
  ),
  CORS_ORIGINS: Type.String({
    default: '',
    description: 'allowed browser origins, comma separated (same-origin always)',
  }),
} satisfies SettingsFragment;

/** Core's fragments: the settings every service may read from its context. */
export const settingsSchema = Type.Object({ ...coreSettings, ...accessSettings });

export type Settings = Static<typeof settingsSchema>;

/**
 * One schema from fragments, in the order given (the README table's); a variable two fragments declare
 * is a programming error.
 *
 * @example
 *   const schema = composeSettings([coreSettings, recommenderSettings, accessSettings]);
 */
export function composeSettings(fragments: readonly SettingsFragment[]): TObject {
  const properties: TProperties = {};
  for (const fragment of fragments) {
    for (const [key, schema] of Object.entries(fragment)) {
      if (key in properties) throw new Error(`setting ${key} is declared by two fragments`);
      properties[key] = schema;
    }
  }
  return Type.Object(properties);
}

/**
 * The settings from the environment, validated against `schema` (the CLI's composition; core's own by
 * default) with every bad key reported at once, and frozen. A service reads its fragment's part with
 * settingsOf().
 */
export function loadSettings(
  env: Readonly<Record<string, string | undefined>>,
  schema: TObject = settingsSchema,
): Settings {
  const settings = parseConfig(schema, env) as Settings;
  const named = CACHE_URL_SETTINGS.filter((key) => settings[key] !== undefined);
  if (new Set(named.map((key) => settings[key])).size > 1) {
    throw new ConfigError([`${named.join(', ')}: name one cache server (these differ)`]);
  }
  return settings;
}

/**
 * A fragment's values out of the loaded settings: what the CLI validated at start, and the fragment's
 * defaults for any variable the settings lack (a context loaded without the fragment, as a service's own
 * tests make one).
 */
export function settingsOf<F extends SettingsFragment>(
  fragment: F,
  settings: object,
): Readonly<FragmentSettings<F>> {
  const schema = Type.Object(fragment as TProperties);
  return parseConfig(schema, settings as Readonly<Record<string, unknown>>) as FragmentSettings<F>;
}

const CACHE_URL_SETTINGS = ['CACHE_URL', 'REDIS_URL', 'MEMCACHED_URL'] as const;

/**
 * The cache server the settings select and the setting that named it, or undefined for the in-process
 * cache. Several of CACHE_URL, REDIS_URL and MEMCACHED_URL may be set only when they agree.
 */
export function cacheUrlOf(
  settings: Pick<Settings, (typeof CACHE_URL_SETTINGS)[number]>,
): { setting: (typeof CACHE_URL_SETTINGS)[number]; url: string } | undefined {
  for (const setting of CACHE_URL_SETTINGS) {
    const url = settings[setting];
    if (url !== undefined) return { setting, url };
  }
  return undefined;
}
