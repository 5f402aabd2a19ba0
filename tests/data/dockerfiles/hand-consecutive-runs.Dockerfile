FROM ubuntu:22.04
RUN mkdir -p /opt/data
RUN chmod 777 /opt/data
RUN touch /opt/data/.keep
ENV OUTPUT_DIR=/opt/data
