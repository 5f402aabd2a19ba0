FROM nvcr.io/nvidia/pytorch:23.10-py3
RUN apt-get update \
    && apt-get install ffmpeg
COPY requirements.txt /tmp/requirements.txt
RUN pip install --no-cache-dir -r /tmp/requirements.txt
RUN python3 -m pip install pandas transformers
COPY requirements.txt /tmp/requirements.txt
RUN python3 -m pip install --no-cache-dir -r /tmp/requirements.txt
WORKDIR app
COPY . /root/app/
EXPOSE 8888
CMD ["python", "train.py", "--config", "configs/base.yaml"]
