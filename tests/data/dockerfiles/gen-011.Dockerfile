FROM rockylinux:8
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN dnf install -y gcc python3-devel make && dnf clean all
RUN pip3 install lightning==2.2.4 scikit-learn torch==2.3.0 jax==0.4.28 --index-url https://download.pytorch.org/whl/cu124
RUN python3 -m pip install --no-cache-dir datasets==2.19.0
WORKDIR /home/user/code
COPY . .
ENV MPLCONFIGDIR=/tmp/mpl
CMD python train.py --config configs/base.yaml
