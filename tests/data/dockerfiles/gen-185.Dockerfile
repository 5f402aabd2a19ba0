FROM alpine:3.19
ENV DEBIAN_FRONTEND=noninteractive
RUN apk add --no-cache curl
WORKDIR /root/project
COPY . /root/app/
ENV MPLCONFIGDIR=/tmp/mpl
CMD ["python", "train.py", "--config", "configs/base.yaml"]
