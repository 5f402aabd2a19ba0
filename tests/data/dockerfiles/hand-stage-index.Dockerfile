FROM rust:1.77 AS build
WORKDIR /src
COPY . .
RUN cargo build --release
FROM gcr.io/distroless/cc-debian12
COPY --from=0 /src/target/release/app /app
COPY --from=build /src/LICENSE /LICENSE
ENTRYPOINT ["/app"]
