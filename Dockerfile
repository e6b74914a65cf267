# coursehub: the hub and its proxy, in one image (`make build`, or `docker-compose build`).
# No registry is assumed: the base image is a build argument, e.g.
#   docker build --build-arg NODE_IMAGE=node:20-bookworm-slim -t coursehub .
# Any Debian-based image with Node 20 (LTS) or newer at /usr/local/bin/node will do.
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
# better-sqlite3 and zeromq build their native parts when no prebuilt one fits.
RUN apt-get update -q && apt-get install -y -q --no-install-recommends python3 make g++ \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/coursehub
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY bin bin
COPY src src
COPY share share
COPY examples examples
# An installed coursehub runs dist/ and has no src/ (bin/coursehub.js compares the two otherwise).
RUN npm run build && npm prune --omit=dev && rm -rf src

FROM ${NODE_IMAGE}
# tar and python3: the hub moves users' files with them; openssl for `make self-signed-cert`-style
# checks; the PostgreSQL client for `coursehub backup` of a PostgreSQL database (pg_dump).
RUN apt-get update -q && apt-get install -y -q --no-install-recommends \
        tar python3 openssl ca-certificates postgresql-client tini \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /opt/coursehub /opt/coursehub
RUN ln -s /opt/coursehub/bin/coursehub.js /usr/local/bin/coursehub \
    && ln -s /opt/coursehub/share/docker/hub-entrypoint.sh /usr/local/bin/coursehub-entrypoint
# COURSEHUB_ACCOUNTS_COPY: where the hub keeps a copy of the Unix accounts it makes, so that the
# next container gets them back (share/docker/hub-entrypoint.sh); it belongs on the data volume.
ENV NODE_ENV=production \
    COURSEHUB_HUB_DATA_DIR=/srv/coursehub/data \
    COURSEHUB_ACCOUNTS_COPY=/srv/coursehub/data/accounts
WORKDIR /srv/coursehub
VOLUME /srv/coursehub/data
# https on 443 and the redirect from 80 (docker-compose.yml sets them).
EXPOSE 80 443
ENTRYPOINT ["tini", "--", "coursehub-entrypoint"]
CMD ["start"]
