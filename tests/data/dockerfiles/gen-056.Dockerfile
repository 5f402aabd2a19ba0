FROM ubuntu:22.04
WORKDIR /app
ENV TORCH_HOME=/opt/torch
RUN wget -qO- https://example.org/setup.sh | bash
ENTRYPOINT ["/opt/entrypoint.sh"]
