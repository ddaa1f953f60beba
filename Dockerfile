# arkd in a container: a Debian 12 build stage runs make, the runtime stage
# holds only the shared libraries, arkd, arkctl and a non-root user.
#
#   docker build -t ark:0.1.0 .
#   docker run -d --name arkd -v /srv/ark/etc:/etc/ark \
#       -v /srv/ark/state:/var/lib/ark ark:0.1.0
#
# /etc/ark holds arkd.json (and the admin token, if any); /var/lib/ark the
# state (FrameworkID, task journal, blacklist): keep it on a volume, or a
# new container registers a new framework. See docs/running-in-a-container.md.

FROM debian:bookworm-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
	build-essential pkg-config protobuf-c-compiler \
	libcurl4-openssl-dev libprotobuf-c-dev libjansson-dev libev-dev \
	libsqlite3-dev libmicrohttpd-dev libzookeeper-mt-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN make -j"$(nproc)" B=/build /build/arkd /build/arkctl

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
	libcurl4 libprotobuf-c1 libjansson4 libev4 libsqlite3-0 \
	libmicrohttpd12 libzookeeper-mt2 ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --user-group --home-dir /var/lib/ark \
	--shell /usr/sbin/nologin ark \
 && install -d -m 0755 /etc/ark \
 && install -d -m 0700 -o ark -g ark /var/lib/ark
COPY --from=build /build/arkd /usr/sbin/arkd
COPY --from=build /build/arkctl /usr/bin/arkctl
COPY etc/ark/arkd.json /etc/ark/arkd.json
COPY docs/arkd.8 docs/arkctl.1 docs/arkd.json.5 /usr/share/doc/ark/

USER ark
WORKDIR /var/lib/ark
VOLUME ["/etc/ark", "/var/lib/ark"]
# The admin API; arkd.json must set admin.listen to "0.0.0.0:8090" (and
# admin.token_file) for it to be reachable from outside the container.
EXPOSE 8090
# Runs inside the container, so the default loopback listener answers.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
	CMD curl -fsS http://127.0.0.1:8090/healthz || exit 1
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/sbin/arkd", "--config", "/etc/ark/arkd.json"]
