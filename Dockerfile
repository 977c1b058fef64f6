# One image for every omen service; SERVICE picks which one runs.
#   docker build -t omen:dev .   then   docker run -e SERVICE=ingest omen:dev
FROM node:22-bookworm-slim AS deps
WORKDIR /app
RUN npm install -g pnpm@10.34.9
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml ./
COPY packages ./packages
COPY services ./services
RUN pnpm install --frozen-lockfile --prod=false

FROM node:22-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production GRPC_HOST=0.0.0.0 GRPC_PORT=50051 METRICS_PORT=9464
COPY --from=deps /app /app
COPY protos ./protos
COPY schemas ./schemas
COPY topics.yaml tsconfig.base.json tsconfig.json ./
# The trainer-coordinator's registry and run state (a volume in compose and Kubernetes); owned by
# the runtime user so a fresh named volume inherits writable ownership.
RUN mkdir -p /var/lib/omen && chown node:node /var/lib/omen
USER node
EXPOSE 50051 9464
CMD ["sh", "-c", "exec node --import tsx services/${SERVICE:?set SERVICE to one of the six services}/src/main.ts"]
