FROM spack/ubuntu-jammy:0.21.2
RUN spack install --fail-fast hdf5+mpi ^openmpi && spack gc -y
RUN spack env create -d /opt/spack-env && spack -e /opt/spack-env add py-numpy
ENTRYPOINT ["/bin/bash", "-lc"]
