FROM jupyter/base-notebook:2024-04-29
EXPOSE 8888 70000
