# The library reader-services bot: a slim image that runs as an unprivileged user, applies the
# migrations when it starts and reports its health on /healthz. See the README, "Docker".
FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY storage ./storage
RUN python -m venv /opt/venv \
    && /opt/venv/bin/pip install ".[postgres,redis]"

FROM python:3.11-slim
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    WEB_HOST=0.0.0.0 \
    WEB_PORT=8080 \
    DATABASE_URL=sqlite+aiosqlite:////data/bot.sqlite3
RUN groupadd --system --gid 10001 bot \
    && useradd --system --uid 10001 --gid bot --home-dir /data --shell /usr/sbin/nologin bot \
    && mkdir /data \
    && chown bot:bot /data
COPY --from=build /opt/venv /opt/venv
USER bot
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('WEB_PORT', '8080') + '/healthz', timeout=4)"]
# Migrations first (several replicas starting at once take turns: the upgrade holds a lock on
# PostgreSQL), then the bot; exec so that it receives SIGTERM from `docker stop`.
CMD ["sh", "-c", "python -m bot migrate && exec python -m bot"]
