# syntax=docker/dockerfile:1
# revoke-sessions: the Slack app (`node dist/main.js`) and the break-glass CLI (`revoke-sessions`).
# Build: docker build -t revoke-sessions .      Run: see deploy/ (Compose, Kubernetes) and the README.
# No secret enters an image layer: configuration comes from the environment at run time, secrets
# preferably as files (<VAR>_FILE, e.g. SLACK_BOT_TOKEN_FILE=/run/secrets/slack_bot_token).

ARG NODE_VERSION=22

# --- build: compile TypeScript to dist/ (devDependencies stay in this stage) ---
FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# --- runtime: production dependencies and dist/ only, as the unprivileged `node` user ---
FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
# Scripts off (`prepare` would build, and there is no compiler here); then the one native module,
# better-sqlite3, fetches its prebuilt binary for this platform. npm's cache stays out of the layer.
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm rebuild better-sqlite3
COPY --from=build /app/dist ./dist
# The default store, sqlite:./data/revoke-sessions.db, is written here (mount a volume to keep it).
RUN mkdir -p data && chown node:node data
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "dist/main.js"]
