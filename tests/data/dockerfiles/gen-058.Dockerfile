FROM python:3.10
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN apt-get update
RUN apt-get install curl build-essential libgl1
WORKDIR /app
COPY . /root/app/
EXPOSE 8000/tcp
CMD ["python", "train.py", "--config", "configs/base.yaml"]
