FROM centos:7 AS builder
RUN apt update \
    && apt install openssh-client wget cmake
WORKDIR /src
COPY . /src
RUN make -j
FROM builder
COPY --from=builder /src/out /opt/out
ENV DEBIAN_FRONTEND=noninteractive
RUN dnf install gcc && dnf clean all
RUN python3 -m pip install --no-cache-dir --user numpy==1.26.4
WORKDIR app
COPY . /workspace/
CMD ["python", "train.py", "--config", "configs/base.yaml"]
ENTRYPOINT ["/opt/entrypoint.sh"]
