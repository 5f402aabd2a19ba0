#!/usr/bin/env python3
"""Write the Dockerfile corpus under tests/data/dockerfiles/.

Hand-written ML/HPC Dockerfiles (hand-*.Dockerfile) plus generated variants
(gen-NNN.Dockerfile) that combine realistic choices: base images (CUDA, NGC,
PyTorch, python, ubuntu, conda), apt-get with and without -y / --no-install-recommends /
list cleanup, pip with and without --no-cache-dir / pins / --user, conda, multi-stage
builds, COPY --from, WORKDIR, USER, EXPOSE, CMD/ENTRYPOINT forms, pipes, sudo, cd, ADD,
MAINTAINER, secrets in ARG/ENV, heredocs. Deterministic (fixed seed).

Usage: python3 gen_corpus.py [OUT_DIR]
"""
import glob
import os
import random
import sys

HAND = {
"pytorch-train": r'''# Training image for the vision lab
FROM pytorch/pytorch:2.2.1-cuda12.1-cudnn8-runtime
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update && apt-get install -y --no-install-recommends git libgl1 \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /workspace
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
CMD ["python", "train.py"]
''',
"cuda-devel-build": r'''ARG CUDA_VERSION=12.4.1
FROM nvidia/cuda:${CUDA_VERSION}-cudnn-devel-ubuntu22.04 AS build
RUN apt-get update && apt-get install -y build-essential cmake git
WORKDIR /src
COPY . /src
RUN cmake -B build -DCMAKE_BUILD_TYPE=Release && cmake --build build -j

FROM nvidia/cuda:${CUDA_VERSION}-cudnn-runtime-ubuntu22.04
COPY --from=build /src/build/bin /opt/app/bin
ENV PATH=/opt/app/bin:$PATH
ENTRYPOINT ["/opt/app/bin/solver"]
''',
"conda-env": r'''FROM continuumio/miniconda3
MAINTAINER Research Computing <rc@example.edu>
COPY environment.yml /tmp/environment.yml
RUN conda env create -f /tmp/environment.yml
RUN echo "conda activate myenv" >> ~/.bashrc
SHELL ["conda", "run", "-n", "myenv", "/bin/bash", "-c"]
EXPOSE 8888
CMD jupyter lab --ip=0.0.0.0 --allow-root
''',
"miniconda-installer": r'''FROM ubuntu:22.04
RUN apt-get update && apt-get install -y wget bzip2 ca-certificates
RUN wget -q https://repo.anaconda.com/miniconda/Miniconda3-latest-Linux-x86_64.sh -O /tmp/m.sh \
 && bash /tmp/m.sh -b \
 && rm /tmp/m.sh
ENV PATH=/root/miniconda3/bin:$PATH
RUN conda install -y -c conda-forge numpy scipy && conda clean -afy
''',
"ngc-pytorch": r'''FROM nvcr.io/nvidia/pytorch:24.01-py3
RUN pip install transformers==4.38.2 datasets==2.18.0 accelerate
ENV HF_HOME=/opt/hf-cache
WORKDIR /workspace/project
COPY . .
''',
"hf-inference": r'''FROM python:3.11-slim
ARG HF_TOKEN
ENV HUGGING_FACE_HUB_TOKEN=$HF_TOKEN
RUN pip install --no-cache-dir torch==2.3.0 --index-url https://download.pytorch.org/whl/cu121
RUN pip install --no-cache-dir transformers==4.41.0 fastapi uvicorn
COPY app /app
WORKDIR /app
USER nobody
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s CMD curl -f http://localhost:8000/health || exit 1
ENTRYPOINT ["uvicorn", "server:app", "--host", "0.0.0.0"]
''',
"mpi-hpc": r'''FROM ubuntu:20.04
ENV DEBIAN_FRONTEND noninteractive
RUN apt-get update -y && \
    apt-get install -y --no-install-recommends openmpi-bin libopenmpi-dev gfortran make && \
    apt-get clean && rm -rf /var/lib/apt/lists/*
ADD src /opt/src
RUN cd /opt/src && make -j4
ENV PATH /opt/src/bin:$PATH
''',
"jax-tpu-like": r'''FROM nvidia/cuda:11.8.0-cudnn8-runtime-ubuntu22.04
RUN apt-get update && apt-get install -y python3-pip && rm -rf /var/lib/apt/lists/*
RUN pip3 install --upgrade "jax[cuda11_pip]" -f https://storage.googleapis.com/jax-releases/jax_cuda_releases.html
RUN pip3 install flax optax
''',
"r-stats": r'''FROM rocker/r-ver:4.3.2
RUN apt-get update && apt-get install -y libxml2-dev libcurl4-openssl-dev
RUN R -e "install.packages(c('data.table','ggplot2'), repos='https://cloud.r-project.org')"
WORKDIR /home/rstudio/project
COPY . /home/rstudio/project
''',
"tensorflow-gpu": r'''FROM tensorflow/tensorflow:2.15.0-gpu
RUN pip install --no-cache-dir tensorflow-datasets==4.9.4 keras-cv
COPY train.py /opt/train.py
CMD ["python", "/opt/train.py"]
''',
"alpine-tool": r'''FROM alpine:3.19
RUN apk add --no-cache curl jq
RUN curl -sSL https://example.org/install.sh | sh
ENTRYPOINT ["jq"]
''',
"heredoc-setup": r'''# syntax=docker/dockerfile:1.7
FROM ubuntu:24.04
RUN <<EOF
apt-get update
apt-get install -y --no-install-recommends python3 python3-venv
rm -rf /var/lib/apt/lists/*
EOF
RUN python3 -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH PYTHONNOUSERSITE=1
COPY <<EOF /opt/venv/requirements.txt
numpy==1.26.4
pandas==2.2.1
EOF
RUN pip install --no-cache-dir -r /opt/venv/requirements.txt
''',
"cache-mounts": r'''# syntax=docker/dockerfile:1
FROM python:3.12-slim AS base
RUN --mount=type=cache,target=/var/cache/apt --mount=type=cache,target=/var/lib/apt \
    apt-get update && apt-get install -y --no-install-recommends git
RUN --mount=type=cache,target=/root/.cache/pip pip install torch==2.4.0 lightning==2.3.0
FROM base AS final
COPY . /opt/app
WORKDIR /opt/app
''',
"latest-and-sudo": r'''FROM ubuntu:latest
RUN apt-get update
RUN sudo apt-get install -y vim
RUN apt install -y htop
USER researcher
RUN pip install --user numpy
''',
"untagged-multi": r'''FROM golang AS builder
WORKDIR /go/src/app
COPY . .
RUN go build -o /bin/tool ./cmd/tool
FROM debian:bookworm-slim
COPY --from=bulder /bin/tool /usr/local/bin/tool
CMD ["tool"]
''',
"windows-escape": '''# escape=`
FROM mcr.microsoft.com/windows/servercore:ltsc2022
RUN powershell -Command `
    Invoke-WebRequest https://example.org/x.zip -OutFile x.zip
WORKDIR C:\\app
''',
"relative-workdir": r'''FROM python:3.10
WORKDIR app
COPY . .
RUN pip install -r requirements.txt
CMD python main.py
''',
"single-quote-json": r'''FROM python:3.10-slim
COPY run.py /opt/run.py
ENTRYPOINT ['python', '/opt/run.py']
CMD ["--help"]
CMD ["--epochs", "3"]
''',
"pipes": r'''FROM debian:12
RUN apt-get update && apt-get install -y --no-install-recommends curl ca-certificates && rm -rf /var/lib/apt/lists/*
RUN curl -fsSL https://get.example.org | bash
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN curl -fsSL https://example.org/key.gpg | gpg --dearmor -o /usr/share/keyrings/x.gpg
''',
"spack-hpc": r'''FROM spack/ubuntu-jammy:0.21.2
RUN spack install --fail-fast hdf5+mpi ^openmpi && spack gc -y
RUN spack env create -d /opt/spack-env && spack -e /opt/spack-env add py-numpy
ENTRYPOINT ["/bin/bash", "-lc"]
''',
"vllm-serve": r'''FROM vllm/vllm-openai:v0.4.2
ENV HF_HOME=/data/hf TRANSFORMERS_CACHE=/data/hf
VOLUME /data
EXPOSE 8000
ENTRYPOINT ["python3", "-m", "vllm.entrypoints.openai.api_server"]
''',
"jupyter-home": r'''FROM jupyter/scipy-notebook:2023-10-20
USER root
RUN apt-get update && apt-get install -y --no-install-recommends graphviz && rm -rf /var/lib/apt/lists/*
USER ${NB_UID}
COPY --chown=${NB_UID}:${NB_GID} notebooks /home/jovyan/work
RUN pip install --no-cache-dir graphviz==0.20.1
''',
"consecutive-runs": r'''FROM ubuntu:22.04
RUN mkdir -p /opt/data
RUN chmod 777 /opt/data
RUN touch /opt/data/.keep
ENV OUTPUT_DIR=/opt/data
''',
"stage-index": r'''FROM rust:1.77 AS build
WORKDIR /src
COPY . .
RUN cargo build --release
FROM gcr.io/distroless/cc-debian12
COPY --from=0 /src/target/release/app /app
COPY --from=build /src/LICENSE /LICENSE
ENTRYPOINT ["/app"]
''',
"edge-stages": r'''FROM python:3.11 AS build
RUN pip install --no-cache-dir build==1.2.1 && python -m build
COPY --from=build /src/dist /dist
FROM python:3.11-slim AS build
ENTRYPOINT ["python"]
ENTRYPOINT ["python3", "-u"]
HEALTHCHECK CMD ["true"]
HEALTHCHECK --interval=1m CMD ["python3", "-c", "import sys"]
''',
"expose-range": r'''FROM jupyter/base-notebook:2024-04-29
EXPOSE 8888 70000
''',
"expose-bad-protocol": r'''FROM ubuntu:22.04
RUN apt-get update && apt-get install -y curl
EXPOSE 8080/http
RUN sudo make install
''',
"arg-scope": r'''ARG PYTORCH=2.3.0
ARG CUDA=12.1
FROM pytorch/pytorch:${PYTORCH}-cuda${CUDA}-cudnn8-runtime
RUN pip install --no-cache-dir torchaudio==${PYTORCH}
ARG CUDA
RUN echo "cuda ${CUDA}" > /opt/cuda.txt
''',
"onbuild-base": r'''FROM python:3.11-slim
ONBUILD COPY requirements.txt /tmp/
ONBUILD RUN pip install -r /tmp/requirements.txt
STOPSIGNAL SIGINT
''',
}

BASES = [
    "nvidia/cuda:12.4.1-cudnn-devel-ubuntu22.04", "nvidia/cuda:11.8.0-runtime-ubuntu22.04",
    "nvidia/cuda:12.1.1-cudnn8-runtime-ubuntu22.04", "pytorch/pytorch:2.3.0-cuda12.1-cudnn8-runtime",
    "nvcr.io/nvidia/pytorch:23.10-py3", "nvcr.io/nvidia/tensorflow:24.03-tf2-py3", "python:3.11-slim",
    "python:3.10", "ubuntu:22.04", "ubuntu", "ubuntu:latest", "debian:bookworm-slim",
    "continuumio/miniconda3:23.10.0-1", "mambaorg/micromamba:1.5.8", "rockylinux:9",
    "condaforge/miniforge3", "nvidia/cuda", "python@sha256:0123456789abcdef",
    "rockylinux:8", "centos:7", "fedora:40", "alpine:3.19", "python:3.12-alpine",
]
APT_PKGS = ["git", "wget", "curl", "build-essential", "libgl1", "ffmpeg", "openssh-client", "vim", "htop", "python3-pip", "libopenmpi-dev", "cmake"]
PIP_PKGS = ["numpy", "scipy", "pandas", "torch", "torchvision", "transformers", "datasets", "wandb", "einops", "matplotlib", "scikit-learn", "accelerate", "jax", "lightning"]
VERS = {"numpy": "1.26.4", "scipy": "1.12.0", "pandas": "2.2.1", "torch": "2.3.0", "torchvision": "0.18.0", "transformers": "4.41.0", "datasets": "2.19.0", "wandb": "0.17.0", "einops": "0.8.0", "matplotlib": "3.8.4", "scikit-learn": "1.4.2", "accelerate": "0.30.1", "jax": "0.4.28", "lightning": "2.2.4"}


def apt_block(r):
    pkgs = " ".join(r.sample(APT_PKGS, r.randint(1, 4)))
    tool = "apt" if r.random() < 0.08 else "apt-get"
    y = "" if r.random() < 0.2 else (" -y" if r.random() < 0.8 else " -qq")
    norec = " --no-install-recommends" if r.random() < 0.55 else ""
    sudo = "sudo " if r.random() < 0.05 else ""
    clean = r.random() < 0.55
    multiline = r.random() < 0.6
    sep = " \\\n    && " if multiline else " && "
    cmd = f"RUN {sudo}{tool} update{sep}{sudo}{tool} install{y}{norec} {pkgs}"
    if clean:
        cmd += f"{sep}rm -rf /var/lib/apt/lists/*"
    if r.random() < 0.15:
        # split update and install into two RUNs
        cmd = f"RUN {tool} update\nRUN {tool} install{y}{norec} {pkgs}"
    return cmd


def rpm_block(r, base):
    tool = "yum" if ("centos" in base or "rockylinux:8" in base) and r.random() < 0.7 else "dnf"
    pkgs = " ".join(r.sample(["gcc", "make", "git", "wget", "python3-devel", "openmpi-devel"], r.randint(1, 3)))
    y = " -y" if r.random() < 0.7 else ""
    clean = f" && {tool} clean all" if r.random() < 0.5 else ""
    return f"RUN {tool} install{y} {pkgs}{clean}"


def apk_block(r):
    pkgs = " ".join(r.sample(["git", "curl", "bash", "build-base", "py3-pip"], r.randint(1, 3)))
    nc = " --no-cache" if r.random() < 0.5 else ""
    return f"RUN apk add{nc} {pkgs}"


def pip_block(r):
    pkgs = r.sample(PIP_PKGS, r.randint(1, 4))
    pinned = r.random() < 0.5
    spec = " ".join(f"{p}=={VERS[p]}" if pinned or r.random() < 0.3 else p for p in pkgs)
    prog = r.choice(["pip", "pip3", "python -m pip", "python3 -m pip"])
    nocache = " --no-cache-dir" if r.random() < 0.5 else ""
    user = " --user" if r.random() < 0.08 else ""
    extra = ""
    if "torch" in pkgs and r.random() < 0.5:
        extra = " --index-url https://download.pytorch.org/whl/" + r.choice(["cu118", "cu121", "cu124"])
    if r.random() < 0.2:
        return f"COPY requirements.txt /tmp/requirements.txt\nRUN {prog} install{nocache} -r /tmp/requirements.txt"
    return f"RUN {prog} install{nocache}{user} {spec}{extra}"


def conda_block(r):
    pkgs = " ".join(r.sample(["numpy", "scipy", "pytorch", "cudatoolkit=11.8", "pytorch-cuda=12.1", "mpi4py", "h5py"], 2))
    clean = " && conda clean -afy" if r.random() < 0.5 else ""
    return f"RUN conda install -y -c conda-forge {pkgs}{clean}"


def tail_block(r):
    out = []
    wd = r.choice(["/workspace", "/opt/app", "/app", "app", "/root/project", "/home/user/code", None])
    if wd:
        out.append(f"WORKDIR {wd}")
    if r.random() < 0.7:
        dest = r.choice([".", "/opt/app/", "/root/app/", "/workspace/"])
        kw = "ADD" if r.random() < 0.15 else "COPY"
        out.append(f"{kw} . {dest}")
    if r.random() < 0.2:
        out.append(f"USER {r.choice(['1000', 'researcher', 'nobody'])}")
    if r.random() < 0.2:
        out.append(f"EXPOSE {r.choice(['8888', '6006', '8000/tcp', '22'])}")
    if r.random() < 0.1:
        out.append("VOLUME /data")
    if r.random() < 0.15:
        out.append(f"ENV {r.choice(['HF_HOME=/opt/hf', 'TORCH_HOME=/opt/torch', 'WANDB_DIR=/tmp/wandb', 'MPLCONFIGDIR=/tmp/mpl'])}")
    if r.random() < 0.1:
        out.append(f"ARG {r.choice(['WANDB_API_KEY', 'GITHUB_TOKEN', 'PYTHON_VERSION=3.11'])}")
    if r.random() < 0.1:
        out.append("RUN cd /opt && git clone https://github.com/example/repo.git")
    if r.random() < 0.1:
        out.append("RUN wget -qO- https://example.org/setup.sh | bash")
    if r.random() < 0.6:
        if r.random() < 0.5:
            out.append('CMD ["python", "train.py", "--config", "configs/base.yaml"]')
        else:
            out.append("CMD python train.py --config configs/base.yaml")
    if r.random() < 0.15:
        out.append('ENTRYPOINT ["/opt/entrypoint.sh"]')
    if r.random() < 0.05:
        out.append('CMD ["bash"]')
    return out


def generated(r, i):
    lines = []
    if r.random() < 0.1:
        lines.append("# syntax=docker/dockerfile:1")
    if r.random() < 0.05:
        lines.append("MAINTAINER lab <lab@example.edu>")
    multistage = r.random() < 0.25
    base = r.choice(BASES)
    if r.random() < 0.4 and base.startswith("nvidia/cuda:"):
        ver = base.split(":")[1].split("-")[0]
        lines.insert(len(lines) if lines and lines[0].startswith("# syntax") else 0, f"ARG CUDA={ver}")
        base = "nvidia/cuda:${CUDA}-" + base.split("-", 1)[1]
    if multistage:
        lines.append(f"FROM {base} AS builder")
        lines.append(apt_block(r))
        lines.append("WORKDIR /src\nCOPY . /src\nRUN make -j")
        final = r.choice(["python:3.11-slim", "ubuntu:22.04", "nvidia/cuda:12.1.1-runtime-ubuntu22.04", "builder"])
        lines.append(f"FROM {final}")
        src = r.choice(["builder", "builder", "0", "buidler"])
        lines.append(f"COPY --from={src} /src/out /opt/out")
    else:
        lines.append(f"FROM {base}")
    if r.random() < 0.3:
        lines.append("ENV DEBIAN_FRONTEND=noninteractive")
    if r.random() < 0.15:
        lines.append('SHELL ["/bin/bash", "-o", "pipefail", "-c"]')
    if any(x in base for x in ("rockylinux", "centos", "fedora")):
        lines.append(rpm_block(r, base))
    elif "alpine" in base:
        lines.append(apk_block(r))
    elif r.random() < 0.8:
        lines.append(apt_block(r))
    if any(l.startswith("ARG CUDA=") for l in lines) and r.random() < 0.5:
        # A global ARG used in the stage without re-declaring it (empty there).
        lines.append('RUN echo "built for CUDA ${CUDA}" > /opt/cuda-version.txt')
    for _ in range(r.randint(0, 3)):
        lines.append(pip_block(r))
    if "conda" in base or "mamba" in base or r.random() < 0.05:
        lines.append(conda_block(r))
    lines += tail_block(r)
    return "\n".join(lines) + "\n"


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "../../../../tests/data/dockerfiles")
    os.makedirs(out, exist_ok=True)
    for name, text in HAND.items():
        with open(os.path.join(out, f"hand-{name}.Dockerfile"), "w") as f:
            f.write(text)
    for old in glob.glob(os.path.join(out, "gen-*.Dockerfile")):
        os.remove(old)
    r = random.Random(20261129)
    for i in range(220):
        with open(os.path.join(out, f"gen-{i:03}.Dockerfile"), "w") as f:
            f.write(generated(r, i))
    print(f"wrote {len(HAND)} hand-written and 220 generated Dockerfiles to {os.path.normpath(out)}")


if __name__ == "__main__":
    main()
