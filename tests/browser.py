"""Headless Debian Chromium driven by Playwright, for the tests that open gradviz's HTML in a real browser.

Chromium comes from Debian (``apt-get install chromium``), never from ``playwright install``; the
``playwright`` package is in the ``test`` extra. Without either, ``MISSING`` says what is absent and
the browser tests skip with that reason.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

__all__ = ["CHROMIUM", "CHROMIUM_ARGS", "MISSING", "NOT_A_LOCAL_FILE", "NOT_LOCAL", "chromium_context"]

CHROMIUM = os.environ.get("GRADVIZ_CHROMIUM", "/usr/bin/chromium")
# --no-sandbox: CI runs as root; the rest keep Chromium from calling home (the tests run offline)
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# every URL that is not a file: the pages under test are self-contained, so such a request is a bug
NOT_A_LOCAL_FILE = re.compile(r"^(?!file://).*", re.IGNORECASE)
# for pages a test serves itself (Voila on 127.0.0.1): everything else, e.g. Voila's CDN font, is aborted
NOT_LOCAL = re.compile(r"^(?!file://|https?://(127\.0\.0\.1|localhost)[:/]).*", re.IGNORECASE)


def _missing() -> str | None:
    if importlib.util.find_spec("playwright") is None:
        return "needs the playwright package (pip install -e '.[test]'; never `playwright install`)"
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)) and shutil.which(CHROMIUM) is None:
        return f"needs Debian's chromium at {CHROMIUM} (apt-get install chromium), or GRADVIZ_CHROMIUM=/path/to/it"
    return None


MISSING: str | None = _missing()


@contextmanager
def chromium_context(scratch: Path, local_server: bool = False, **options: Any) -> Iterator[Any]:
    """A fresh headless Chromium (a Playwright BrowserContext) whose profile and XDG folders live in
    `scratch`; every request for something that is not a local file is aborted (with `local_server`,
    requests to 127.0.0.1/localhost go through too)."""
    from playwright.sync_api import sync_playwright

    # without these Chromium writes ~/.config/chromium and ~/.cache into the shared $HOME
    env = {**os.environ, "XDG_CONFIG_HOME": str(scratch / "config"), "XDG_CACHE_HOME": str(scratch / "cache")}
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(scratch / "profile"),
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            env=env,
            **{"viewport": {"width": 1100, "height": 800}, **options},
        )
        context.route(NOT_LOCAL if local_server else NOT_A_LOCAL_FILE, lambda route: route.abort())
        try:
            yield context
        finally:
            context.close()
