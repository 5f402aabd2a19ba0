FROM debian:bookworm-slim
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
    && apt-get install --no-install-recommends ffmpeg wget libopenmpi-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/app
EXPOSE 6006
ENTRYPOINT ["/opt/entrypoint.sh"]
