# civicline in a container: built from source on Debian 12, run as a
# non-root user, with the database on a volume.
#   docker build -t civicline .
#   docker run -p 8080:8080 -v civicline-data:/var/lib/civicline civicline

FROM debian:12 AS build
WORKDIR /src
COPY scripts/install-deps scripts/install-deps
RUN scripts/install-deps --build-only && rm -rf /var/lib/apt/lists/*
COPY . .
RUN cmake --preset release -DCIVICLINE_BUILD_TESTS=OFF \
 && cmake --build --preset release --target civicline \
 && strip build/release/server/civicline

FROM debian:12-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libsqlite3-0 libboost-url1.81.0 libspdlog1.10 libfmt9 libicu72 libstemmer0d \
      libssl3 libsodium23 libjemalloc2 libjpeg62-turbo libpng16-16 curl ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --home-dir /var/lib/civicline --create-home civicline
COPY --from=build /src/build/release/server/civicline /usr/local/bin/civicline
COPY config/ /etc/civicline/
# The demo config with container paths: listen on every interface, database on the volume.
ENV CIVICLINE_CONFIG=/etc/civicline/civicline.json \
    CIVICLINE_LISTEN=0.0.0.0:8080 \
    CIVICLINE_DB=/var/lib/civicline/civicline.db
USER civicline
VOLUME ["/var/lib/civicline"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s \
  CMD curl -fsS http://127.0.0.1:8080/healthz || exit 1
ENTRYPOINT ["/usr/local/bin/civicline"]
CMD ["serve"]
