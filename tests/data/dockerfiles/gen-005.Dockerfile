FROM rockylinux:9 AS builder
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3-pip git libgl1 \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . /src
RUN make -j
FROM builder
COPY --from=builder /src/out /opt/out
RUN dnf install -y openmpi-devel gcc git && dnf clean all
RUN pip install pandas==2.2.1 wandb==0.17.0
RUN pip3 install pandas==2.2.1 matplotlib==3.8.4 scikit-learn==1.4.2
COPY . .
