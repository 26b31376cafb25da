# Builds the ironfield binary and runs it on a slim image.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates curl libssl3 \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home /var/lib/ironfield --create-home ironfield
COPY --from=build /src/target/release/ironfield /usr/local/bin/ironfield
USER ironfield
WORKDIR /var/lib/ironfield
ENV IRONFIELD_ADDR=0.0.0.0:8080
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --retries=5 CMD curl -fsS http://127.0.0.1:8080/health/ready || exit 1
ENTRYPOINT ["ironfield"]
CMD ["serve"]
