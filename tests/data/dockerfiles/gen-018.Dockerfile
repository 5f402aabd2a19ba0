FROM ubuntu
RUN python3 -m pip install --no-cache-dir torchvision pandas==2.2.1 torch --index-url https://download.pytorch.org/whl/cu124
WORKDIR /home/user/code
ENTRYPOINT ["/opt/entrypoint.sh"]
