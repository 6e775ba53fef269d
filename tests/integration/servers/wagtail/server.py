"""A real Wagtail 8.0.1 site (the tiny project in `site/`) on a loopback port.

The project has `wagtail.api.v2` (pages, images, documents) and the `wagtail.api.v3` preview, a
home page type and a blog (index and post types) whose `intro` and rich-text `body` are
writable API fields, a French locale, and the demo content of `home/management/commands/
brain_seed.py`. The migrated, seeded database and an API token (`manage.py api_tokens create`)
are built once into a template; each session serves a copy of it with `runserver`.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.integration.servers import process

HERE = Path(__file__).resolve().parent
SITE = HERE / "site"
REQUIREMENTS = HERE / "requirements.txt"
SETTINGS = "brainsite.settings"
# The page types of the site, as the client's tool page_type names.
PAGE_TYPES = {"home": "home.HomePage", "blog_index": "blog.BlogIndexPage", "blog": "blog.BlogPage",
              "page": "wagtailcore.Page"}


@dataclass(frozen=True)
class WagtailSite:
    url: str
    token: str
    state: Path


def _django(bin_dir: Path, state: Path, *args: str, what: str, timeout: float = 600) -> str:
    env = process.clean_env({"BRAIN_WAGTAIL_STATE": str(state), "DJANGO_SETTINGS_MODULE": SETTINGS,
                             "PYTHONPATH": str(SITE)})
    return process.run([str(bin_dir / "python"), "-m", "django", *args], what=f"wagtail: {what}", cwd=SITE,
                       env=env, timeout=timeout)


def _build(bin_dir: Path, python: str) -> Path:
    def build(folder: Path) -> None:
        _django(bin_dir, folder, "migrate", "--noinput", "-v", "0", what="manage.py migrate")
        _django(bin_dir, folder, "brain_seed", what="seed the demo content")
        answer = _django(bin_dir, folder, "api_tokens", "create", "--user", "brain", "--name", "brain-integration",
                         "--json", what="manage.py api_tokens create")
        token = json.loads(answer)["token"]
        (folder / "token.json").write_text(json.dumps({"token": token}))

    key = process.digest(REQUIREMENTS, SITE, python)
    return process.template("wagtail", key, build)


@contextmanager
def running(workdir: Path) -> Iterator[WagtailSite]:
    """Install (first time), prepare and start the site; stop it when the block ends."""
    python = process.base_python()
    bin_dir = process.venv("wagtail", python, REQUIREMENTS)
    template = _build(bin_dir, python)
    state = workdir / "state"
    shutil.copytree(template, state)
    port = process.free_port()
    url = f"http://127.0.0.1:{port}"
    env = process.clean_env({"BRAIN_WAGTAIL_STATE": str(state), "DJANGO_SETTINGS_MODULE": SETTINGS,
                             "PYTHONPATH": str(SITE)})
    server = process.start(
        "wagtail", [str(bin_dir / "python"), "-m", "django", "runserver", f"127.0.0.1:{port}", "--noreload",
                    "--skip-checks"],
        url=url, ready_path="/api/v2/pages/", log=workdir / "server.log", cwd=SITE, env=env, timeout=60)
    try:
        token = json.loads((state / "token.json").read_text())["token"]
        yield WagtailSite(url=url, token=token, state=state)
    finally:
        process.stop(server)
