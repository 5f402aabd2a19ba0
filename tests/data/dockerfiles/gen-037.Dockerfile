FROM nvcr.io/nvidia/tensorflow:24.03-tf2-py3
RUN apt-get update && apt-get install -y --no-install-recommends libopenmpi-dev wget vim
RUN pip install transformers lightning scikit-learn
COPY requirements.txt /tmp/requirements.txt
RUN python -m pip install --no-cache-dir -r /tmp/requirements.txt
RUN pip install --no-cache-dir torch
WORKDIR app
ADD . .
ENV MPLCONFIGDIR=/tmp/mpl
RUN cd /opt && git clone https://github.com/example/repo.git
CMD ["python", "train.py", "--config", "configs/base.yaml"]
