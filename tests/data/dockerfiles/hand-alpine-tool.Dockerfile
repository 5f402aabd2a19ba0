FROM alpine:3.19
RUN apk add --no-cache curl jq
RUN curl -sSL https://example.org/install.sh | sh
ENTRYPOINT ["jq"]
