ARG PYTORCH=2.3.0
ARG CUDA=12.1
FROM pytorch/pytorch:${PYTORCH}-cuda${CUDA}-cudnn8-runtime
RUN pip install --no-cache-dir torchaudio==${PYTORCH}
ARG CUDA
RUN echo "cuda ${CUDA}" > /opt/cuda.txt
