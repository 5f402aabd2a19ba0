FROM nvidia/cuda:11.8.0-runtime-ubuntu22.04
RUN apt-get update
RUN apt-get install -qq --no-install-recommends ffmpeg
RUN pip install --no-cache-dir accelerate==0.30.1
RUN python -m pip install --no-cache-dir transformers==4.41.0 torchvision==0.18.0
COPY requirements.txt /tmp/requirements.txt
RUN python3 -m pip install --no-cache-dir -r /tmp/requirements.txt
WORKDIR app
ADD . .
EXPOSE 6006
ENV MPLCONFIGDIR=/tmp/mpl
RUN wget -qO- https://example.org/setup.sh | bash
