# function-odoo runtime image, for people with Docker. Node 24 LTS and the
# bundled function (dist/function-odoo.cjs holds every production dependency),
# runs as a non-root user. Crossplane mounts the TLS certificates at
# /tls/server, the default --tls-server-certs-dir.
ARG NODE_IMAGE=node:24.21.0-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY functions functions
COPY scripts scripts
RUN node_modules/esbuild/bin/esbuild functions/main.ts --bundle --platform=node --format=cjs --target=node24 \
      --minify-whitespace --minify-syntax --legal-comments=none --outfile=dist/function-odoo.cjs

FROM ${NODE_IMAGE}
WORKDIR /function
COPY --from=build /src/dist/function-odoo.cjs ./function-odoo.cjs
ENV NODE_ENV=production
USER 65532:65532
EXPOSE 9443
ENTRYPOINT ["/usr/local/bin/node", "/function/function-odoo.cjs"]
