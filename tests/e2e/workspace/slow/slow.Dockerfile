# E2E scenario 13: a build slow enough to be stopped from its progress notification.
# tests/e2e/run writes the fixture registry's image into FROM.
FROM 127.0.0.1:5443/tiny/python:3.11
RUN echo "sleeping in the build" && sleep 300
