FROM python:3.11 AS build
RUN pip install --no-cache-dir build==1.2.1 && python -m build
COPY --from=build /src/dist /dist
FROM python:3.11-slim AS build
ENTRYPOINT ["python"]
ENTRYPOINT ["python3", "-u"]
HEALTHCHECK CMD ["true"]
HEALTHCHECK --interval=1m CMD ["python3", "-c", "import sys"]
