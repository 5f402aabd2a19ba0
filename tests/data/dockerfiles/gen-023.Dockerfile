FROM nvidia/cuda:12.1.1-cudnn8-runtime-ubuntu22.04
RUN apt-get update && apt-get install -y --no-install-recommends git curl libgl1 && rm -rf /var/lib/apt/lists/*
RUN python3 -m pip install scikit-learn==1.4.2 matplotlib==3.8.4 torch==2.3.0 datasets==2.19.0 --index-url https://download.pytorch.org/whl/cu124
WORKDIR /workspace
