"""django-crm 1.35 settings for the integration tests: its own settings on SQLite, no Redis.

Everything the server writes lives in the folder named by `BRAIN_CRM_STATE`.
"""

import os
from pathlib import Path

from crm.settings import *  # noqa: F403

STATE = Path(os.environ["BRAIN_CRM_STATE"])

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(STATE / "db.sqlite3")}}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CELERY_BROKER_URL = "memory://"
CELERY_RESULT_BACKEND = "cache+memory://"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = str(STATE / "media")
DOMAIN_NAME = "http://127.0.0.1"
STATIC_ROOT = str(STATE / "static")
os.makedirs(STATIC_ROOT, exist_ok=True)  # whitenoise warns about a missing folder on every request
