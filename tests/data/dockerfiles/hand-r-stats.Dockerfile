FROM rocker/r-ver:4.3.2
RUN apt-get update && apt-get install -y libxml2-dev libcurl4-openssl-dev
RUN R -e "install.packages(c('data.table','ggplot2'), repos='https://cloud.r-project.org')"
WORKDIR /home/rstudio/project
COPY . /home/rstudio/project
