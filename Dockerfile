# libao Telegram bot: `python -m bot serve` as a non-root user, knowledge baked in, database on a volume.
#   docker build -t libao .
#   docker run -d --name libao -e TELEGRAM_BOT_TOKEN=… -v libao-data:/data \
#     -v "$PWD/config.yaml:/config/config.yaml:ro" libao
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    LIBAO_CONFIG=/config/config.yaml \
    LIBAO_DB=/data/libao.db \
    LIBAO_CACHE_DIR=/app/.cache

WORKDIR /app
RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin libao

# Dependencies first (cached layer), then the code and the data it reads at run time.
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY knowledge ./knowledge
COPY phrasebook ./phrasebook
COPY config.example.yaml ./
RUN mkdir -p /data /config /app/.cache \
    && pip install . \
    # refuse to build an image with broken knowledge / rules / phrasebook, and warm the caches
    && python -m bot kb lint \
    && python -m bot ask "电话响几声要接" > /dev/null \
    && chown -R libao:libao /data /app/.cache

USER libao
VOLUME ["/data"]
CMD ["python", "-m", "bot", "serve"]
