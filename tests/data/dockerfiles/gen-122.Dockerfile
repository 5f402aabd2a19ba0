FROM nvidia/cuda:12.4.1-cudnn-devel-ubuntu22.04
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update
RUN apt-get install -y git htop
RUN python3 -m pip install scikit-learn==1.4.2 pandas==2.2.1
COPY requirements.txt /tmp/requirements.txt
RUN python -m pip install -r /tmp/requirements.txt
RUN python -m pip install --no-cache-dir torch==2.3.0 numpy==1.26.4 lightning==2.2.4 --index-url https://download.pytorch.org/whl/cu118
WORKDIR /home/user/code
COPY . .
USER nobody
EXPOSE 8888
CMD ["python", "train.py", "--config", "configs/base.yaml"]
ENTRYPOINT ["/opt/entrypoint.sh"]
