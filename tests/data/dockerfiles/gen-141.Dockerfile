FROM python:3.12-alpine
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN apk add --no-cache py3-pip git build-base
WORKDIR /app
