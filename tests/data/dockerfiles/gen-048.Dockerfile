FROM fedora:40
RUN dnf install -y python3-devel && dnf clean all
RUN conda install -y -c conda-forge pytorch scipy && conda clean -afy
WORKDIR /opt/app
COPY . /root/app/
USER 1000
CMD ["python", "train.py", "--config", "configs/base.yaml"]
