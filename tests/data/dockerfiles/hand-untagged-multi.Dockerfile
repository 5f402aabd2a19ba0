FROM golang AS builder
WORKDIR /go/src/app
COPY . .
RUN go build -o /bin/tool ./cmd/tool
FROM debian:bookworm-slim
COPY --from=bulder /bin/tool /usr/local/bin/tool
CMD ["tool"]
