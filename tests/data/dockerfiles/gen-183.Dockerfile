FROM debian:bookworm-slim AS builder
RUN apt-get update \
    && apt-get install -y --no-install-recommends wget
WORKDIR /src
COPY . /src
RUN make -j
FROM builder
COPY --from=builder /src/out /opt/out
RUN apt-get update
RUN apt-get install -y --no-install-recommends htop wget
RUN pip install lightning scikit-learn
WORKDIR /workspace
RUN wget -qO- https://example.org/setup.sh | bash
ENTRYPOINT ["/opt/entrypoint.sh"]
