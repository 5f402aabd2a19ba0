FROM alpine:3.19
RUN apk add --no-cache build-base git
WORKDIR /opt/app
