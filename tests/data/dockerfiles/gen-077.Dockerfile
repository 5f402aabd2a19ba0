FROM python:3.10 AS builder
RUN apt-get update && apt-get install -y --no-install-recommends git && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . /src
RUN make -j
FROM builder
COPY --from=builder /src/out /opt/out
WORKDIR /root/project
COPY . /root/app/
RUN wget -qO- https://example.org/setup.sh | bash
