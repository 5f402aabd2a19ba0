# E2E scenario 12: a build that fails at its RUN line (line 6), shown as a diagnostic there.
# tests/e2e/run writes the fixture registry's image into FROM.
FROM 127.0.0.1:5443/tiny/python:3.11
ENV E2E_BROKEN=1

RUN echo "about to fail" && exit 3
