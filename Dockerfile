# One image for every omen service; SERVICE picks which one runs. Two targets:
#   docker build -t omen:dev .                          CPU (the default, last stage): every service
#   docker build --target cuda -t omen:dev-cuda .       inference on NVIDIA GPUs (deploy/overlays/gpu)
# then   docker run -e SERVICE=ingest omen:dev   /   docker run --gpus all -e SERVICE=inference omen:dev-cuda
FROM node:22-bookworm-slim AS deps
WORKDIR /app
RUN npm install -g pnpm@10.34.9
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml ./
# pnpm applies patches/ (patchedDependencies in pnpm-workspace.yaml) at install.
COPY patches ./patches
COPY packages ./packages
COPY services ./services
RUN pnpm install --frozen-lockfile --prod=false

# onnxruntime-node ships CPU binaries only; its install script fetches the CUDA 12 execution
# provider (libonnxruntime_providers_cuda.so and _shared.so, from the Microsoft.ML.OnnxRuntime.Gpu.Linux
# NuGet package of the same ORT version) next to the binding, where the inference service looks
# for it (cudaProviderInstalled in services/inference/src/adapters/onnx-session.ts). pnpm-workspace.yaml
# keeps that script off for ordinary installs (offline machines, CPU images); here it runs on purpose,
# and the build fails if the provider is not there afterwards.
FROM deps AS cuda-deps
RUN ORT="$(node -p "require.resolve('onnxruntime-node/package.json', { paths: ['/app/services/inference'] })" | xargs dirname)" \
 && ONNXRUNTIME_NODE_INSTALL=cuda12 node "$ORT/script/install.js" \
 && test -f "$ORT/bin/napi-v6/linux/x64/libonnxruntime_providers_cuda.so"

# CUDA 12 and cuDNN 9 user-space libraries (what ORT 1.30's CUDA provider links against); the driver
# comes from the host through the NVIDIA container runtime (RuntimeClass nvidia). Node is the same
# binary as the CPU image's.
FROM nvidia/cuda:12.8.1-cudnn-runtime-ubuntu24.04 AS cuda
COPY --from=node:22-bookworm-slim /usr/local/bin/node /usr/local/bin/node
WORKDIR /app
ENV NODE_ENV=production GRPC_HOST=0.0.0.0 GRPC_PORT=50051 METRICS_PORT=9464 INFERENCE_EXECUTION_PROVIDERS=cuda,cpu
COPY --from=cuda-deps /app /app
COPY protos ./protos
COPY schemas ./schemas
COPY topics.yaml tsconfig.base.json tsconfig.json ./
RUN mkdir -p /var/lib/omen /var/cache/omen && chown 1000:1000 /var/lib/omen /var/cache/omen
# uid 1000 (ubuntu in this base, node in the CPU one): the pods' runAsUser.
USER 1000:1000
EXPOSE 50051 9464
CMD ["sh", "-c", "exec node --import tsx services/${SERVICE:?set SERVICE to one of the six services}/src/main.ts"]

FROM node:22-bookworm-slim AS cpu
WORKDIR /app
ENV NODE_ENV=production GRPC_HOST=0.0.0.0 GRPC_PORT=50051 METRICS_PORT=9464
COPY --from=deps /app /app
COPY protos ./protos
COPY schemas ./schemas
COPY topics.yaml tsconfig.base.json tsconfig.json ./
# The trainer-coordinator's registry and run state (a volume in compose and Kubernetes); owned by
# the runtime user so a fresh named volume inherits writable ownership.
RUN mkdir -p /var/lib/omen /var/cache/omen && chown node:node /var/lib/omen /var/cache/omen
USER node
EXPOSE 50051 9464
CMD ["sh", "-c", "exec node --import tsx services/${SERVICE:?set SERVICE to one of the six services}/src/main.ts"]
