ARG CUDA_VERSION=12.4.1
FROM nvidia/cuda:${CUDA_VERSION}-cudnn-devel-ubuntu22.04 AS build
RUN apt-get update && apt-get install -y build-essential cmake git
WORKDIR /src
COPY . /src
RUN cmake -B build -DCMAKE_BUILD_TYPE=Release && cmake --build build -j

FROM nvidia/cuda:${CUDA_VERSION}-cudnn-runtime-ubuntu22.04
COPY --from=build /src/build/bin /opt/app/bin
ENV PATH=/opt/app/bin:$PATH
ENTRYPOINT ["/opt/app/bin/solver"]
