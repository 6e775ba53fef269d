"""Real parts for tests: one embedded Postgres per session (a fresh database per test, cloned
from a migrated template), one redis-server per session, one embedding model per session."""

from __future__ import annotations

import os
import pickle
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
os.environ.setdefault("DISABLE_AIOHTTP_TRANSPORT", "True")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
for name in ("BRAIN_MODEL", "DATABASE_URL", "BRAIN_DATABASE_URL", "BRAIN_SALEOR_URL", "BRAIN_OTEL",
             "OTEL_EXPORTER_OTLP_ENDPOINT"):
    os.environ.pop(name, None)

import psycopg
import pytest
from filelock import FileLock
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver

from agents.registry import load_out_of_scope
from agents.routing import training_key, training_set
from bootstrap import open_brain
from memory.onnx_minilm import OnnxMiniLMEmbedder
from runtime import db
from runtime.brain import Brain, load_catalog
from runtime.routing_store import load_or_train, load_or_train_tools
from runtime.settings import Settings
from runtime.understanding import tool_model

# Wall-clock limits of hypothesis measure the machine's load, not the code: tests run on two workers
# of a busy two-core machine. Properties keep their example counts; only time limits go.
hypothesis_settings.register_profile("brain", deadline=None, suppress_health_check=[HealthCheck.too_slow])
hypothesis_settings.load_profile("brain")

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("BRAIN_SHARED_DIR", REPO.parent / "shared"))
TEMPLATE = "brain_template"
ROUTING_CACHE = Path(os.environ.get("BRAIN_TEST_CACHE", REPO / ".brain" / "test-cache"))


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """The server URL (database `postgres`)."""
    external = os.environ.get("BRAIN_TEST_DATABASE_URL")
    if external:
        yield external
        return
    import pgserver

    folder = Path(tempfile.mkdtemp(prefix="brain-pg-"))
    folder.chmod(0o755)  # pgserver runs the server as its own user when we are root
    server = pgserver.get_server(folder / "data", cleanup_mode="delete")
    yield str(server.get_uri())
    server.cleanup()
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
async def template_url(pg_url: str, embedder: OnnxMiniLMEmbedder) -> str:
    async with await psycopg.AsyncConnection.connect(pg_url, autocommit=True) as conn:
        await conn.execute(f"DROP DATABASE IF EXISTS {TEMPLATE}")
        await conn.execute(f"CREATE DATABASE {TEMPLATE}")
    url = db.with_database(pg_url, TEMPLATE)
    await db.migrate(url)
    async with await psycopg.AsyncConnection.connect(url, autocommit=True, prepare_threshold=0) as conn:
        await AsyncPostgresSaver(conn).setup()  # type: ignore[arg-type]
    # Train the routing model once; every test database cloned from the template reuses it, and
    # every pytest worker (xdist) and later session reuses it through a file keyed by its data.
    specs, out_of_scope = list(load_catalog()[1]), load_out_of_scope()
    key = training_key(embedder.name, *training_set(specs, out_of_scope))
    cached = _routing_cache_file(key)
    pool = db.open_pool(url)
    await pool.open()
    try:
        with FileLock(str(cached) + ".lock"):
            if cached.exists():
                async with pool.connection() as conn:
                    await conn.execute("INSERT INTO routing_models (key, payload) VALUES (%s, %s)",
                                       (key, cached.read_bytes()))
            model = await load_or_train(pool, specs, out_of_scope, embedder)
            if not cached.exists():
                cached.write_bytes(pickle.dumps(model))
        # The tool classifier likewise (agents/training/), by its own key.
        tools = load_catalog()[0]
        tool_key = tool_model.training_key(embedder.name, tool_model.training_set(tool_model.load_examples(), specs, tools))
        cached = _routing_cache_file(tool_key)
        with FileLock(str(cached) + ".lock"):
            if cached.exists():
                async with pool.connection() as conn:
                    await conn.execute("INSERT INTO routing_models (key, payload) VALUES (%s, %s)",
                                       (tool_key, cached.read_bytes()))
            trained = await load_or_train_tools(pool, specs, tools, embedder)
            if not cached.exists():
                cached.write_bytes(pickle.dumps(trained))
    finally:
        await pool.close()
    return url


def _routing_cache_file(key: str) -> Path:
    ROUTING_CACHE.mkdir(parents=True, exist_ok=True)
    return ROUTING_CACHE / f"routing-{key[:24]}.pickle"


@pytest.fixture
async def db_url(pg_url: str, template_url: str) -> AsyncIterator[str]:
    """A fresh, migrated database for one test, dropped afterwards."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    async with await psycopg.AsyncConnection.connect(pg_url, autocommit=True) as conn:
        await conn.execute(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}")
    yield db.with_database(pg_url, name)
    async with await psycopg.AsyncConnection.connect(pg_url, autocommit=True) as conn:
        await conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """REDIS_URL if set, else a redis-server of our own on a free loopback port."""
    external = os.environ.get("REDIS_URL")
    if external:
        yield external
        return
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is not installed: `make test` installs it (apt-get install redis-server)")
    folder = Path(tempfile.mkdtemp(prefix="brain-redis-"))
    port = _free_port()
    pidfile = folder / "redis.pid"
    subprocess.run(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--daemonize", "yes", "--pidfile", str(pidfile), "--dir", str(folder)],
        check=True, capture_output=True,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
        except OSError:
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    for _ in range(50):
        if pidfile.exists():
            break
        time.sleep(0.05)
    if pidfile.exists():
        os.kill(int(pidfile.read_text().strip()), 15)
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def embedder() -> OnnxMiniLMEmbedder:
    """The Brain's default embedder (MiniLM on ONNX Runtime); tests/memory checks it against torch's."""
    return OnnxMiniLMEmbedder()


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    return Settings(home=tmp_path / "brain", database_url=db_url, specs_dir=SHARED / "specs", redis_url=None, model=None)


@pytest.fixture
async def brain(settings: Settings, db_url: str, embedder: OnnxMiniLMEmbedder) -> AsyncIterator[Brain]:
    opened = await open_brain(settings, embedder=embedder, url=db_url)
    yield opened
    await opened.close()


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests reach only loopback and Unix sockets: real LLM or SaaS calls fail loudly.

    HTTP to the outside is mocked with respx at the httpx level, so it never gets here.
    """
    real_connect = socket.socket.connect

    def guarded(sock: socket.socket, address: object) -> object:
        if sock.family == socket.AF_UNIX or (isinstance(address, tuple) and str(address[0]) in ("127.0.0.1", "::1", "localhost")):
            return real_connect(sock, address)  # type: ignore[arg-type]
        raise OSError(f"tests may not open network connections (to {address!r}); mock HTTP with respx")

    monkeypatch.setattr(socket.socket, "connect", guarded)
