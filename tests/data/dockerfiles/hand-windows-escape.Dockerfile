# escape=`
FROM mcr.microsoft.com/windows/servercore:ltsc2022
RUN powershell -Command `
    Invoke-WebRequest https://example.org/x.zip -OutFile x.zip
WORKDIR C:\app
