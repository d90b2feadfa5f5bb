# syntax=docker/dockerfile:1
# One image for every Marquee service: `marquee start` runs them all (monolithic mode), and a Kubernetes
# Deployment picks one with `start --target=<service>` (deploy/kubernetes). Build from the repository
# root: `docker build -t marquee .`
ARG NODE_IMAGE=node:20-slim

# 1. The web app. Vite and TypeScript are dev dependencies, so this stage installs everything (without
#    install scripts: no native module is needed to bundle) and only web/dist is kept.
FROM ${NODE_IMAGE} AS web
WORKDIR /app
COPY . .
RUN npm ci --ignore-scripts && npm run build

# 2. Production dependencies only. better-sqlite3 compiles from source when no prebuilt binary matches
#    this platform, so this stage has a compiler; the runtime image does not.
FROM ${NODE_IMAGE} AS deps
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY . .
RUN npm ci --omit=dev && npm cache clean --force

# 3. Runtime: Debian's ffmpeg 5.1 (libx264, AAC; what the encoder is tested with) and tini, so ffmpeg
#    children are reaped and signals reach node; postgresql-client's pg_dump/pg_restore for
#    `marquee backup` (deploy/kubernetes/backup.yaml; the same major version as the server, or newer).
#    Runs as the image's unprivileged `node` user (uid 1000); the code is owned by root and read-only to it.
FROM ${NODE_IMAGE}
RUN apt-get update \
  && apt-get install -y --no-install-recommends ffmpeg tini postgresql-client \
  && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    MARQUEE_HOST=0.0.0.0 \
    MARQUEE_DATA_DIR=/var/lib/marquee
WORKDIR /app
COPY --from=deps /app /app
COPY --from=web /app/web/dist /app/web/dist
RUN mkdir -p /var/lib/marquee && chown node:node /var/lib/marquee
USER node
EXPOSE 8080
VOLUME ["/var/lib/marquee"]
ENTRYPOINT ["/usr/bin/tini", "--", "node", "packages/cli/bin/marquee.mjs"]
CMD ["start"]
