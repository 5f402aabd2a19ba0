FROM rockylinux:9
RUN dnf install openmpi-devel
RUN python3 -m pip install einops scipy
WORKDIR /home/user/code
USER 1000
