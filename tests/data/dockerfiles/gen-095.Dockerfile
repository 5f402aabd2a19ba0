FROM python@sha256:0123456789abcdef
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN python -m pip install --no-cache-dir datasets matplotlib
WORKDIR /opt/app
USER researcher
ENV WANDB_DIR=/tmp/wandb
RUN wget -qO- https://example.org/setup.sh | bash
ENTRYPOINT ["/opt/entrypoint.sh"]
