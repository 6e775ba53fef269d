"""Superset 6.1 configuration for the integration tests: SQLite metadata, no Redis, no Celery.

Everything the server writes lives in the folder named by `BRAIN_SUPERSET_STATE`.
"""

import os
from pathlib import Path

STATE = Path(os.environ["BRAIN_SUPERSET_STATE"])

SECRET_KEY = "brain-integration-tests-only-not-a-secret-0123456789"  # noqa: S105 - loopback test server
SQLALCHEMY_DATABASE_URI = f"sqlite:///{STATE / 'superset.db'}"
DATA_DIR = str(STATE)
# The example database is SQLite, which Superset refuses unless told otherwise.
PREVENT_UNSAFE_DB_CONNECTIONS = False
TALISMAN_ENABLED = False
CACHE_CONFIG = {"CACHE_TYPE": "SimpleCache"}
DATA_CACHE_CONFIG = {"CACHE_TYPE": "SimpleCache"}
RATELIMIT_STORAGE_URI = "memory://"
SQLLAB_CTAS_NO_LIMIT = True
