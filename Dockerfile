# function-odoo runtime image, for people with Docker. Node 24 LTS, production
# dependencies only, runs as a non-root user. Crossplane mounts the TLS
# certificates at /tls/server, the SDK's default --tls-server-certs-dir.
ARG NODE_IMAGE=node:24.21.0-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY functions functions
COPY scripts scripts
RUN node node_modules/typescript/bin/tsc -p tsconfig.build.json

FROM ${NODE_IMAGE} AS deps
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts

FROM ${NODE_IMAGE}
WORKDIR /function
COPY --from=deps /src/node_modules node_modules
COPY --from=build /src/dist/functions dist/functions
COPY package.json ./
ENV NODE_ENV=production
USER 65532:65532
EXPOSE 9443
ENTRYPOINT ["node", "/function/dist/functions/main.js"]
