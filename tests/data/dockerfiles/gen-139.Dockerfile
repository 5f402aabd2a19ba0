FROM centos:7
RUN yum install -y gcc wget openmpi-devel && yum clean all
RUN conda install -y -c conda-forge h5py mpi4py && conda clean -afy
WORKDIR /root/project
COPY . .
RUN wget -qO- https://example.org/setup.sh | bash
CMD ["bash"]
