FROM nvcr.io/nvidia/pytorch:23.10-py3
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN apt-get update \
    && apt-get install -y wget
WORKDIR /opt/app
USER researcher
ENTRYPOINT ["/opt/entrypoint.sh"]
CMD ["bash"]
