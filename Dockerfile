# One image for every part of the platform: the gateway, the sample connectors and the warehouse sink.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
COPY pyproject.toml README.md alembic.ini ./
COPY contracts contracts
COPY registry registry
COPY bus bus
COPY gateway gateway
COPY connectors connectors
COPY warehouse warehouse
COPY migrations migrations
RUN pip install . && useradd --system --home /app lgsp && mkdir -p /data /keys && chown lgsp /data /keys
USER lgsp
ENV LGSP_DATA_DIR=/data
EXPOSE 8080
CMD ["lgsp", "up", "--host", "0.0.0.0", "--port", "8080"]
