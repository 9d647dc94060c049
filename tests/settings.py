"""Settings for the test suite: the project's settings plus a small example app whose
workflow exercises the engine without the ärende domain."""

import atexit
import os
import shutil
import tempfile
from pathlib import Path

from config.settings import *  # noqa: F403
from config.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.exampleapp"]
# no checkpoints outside the database unless a test gives its own directory (a shared one
# would outlive each test's rolled-back database)
WORKFLOW_CHECKPOINT_DIR = None
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
if "DJANGO_MEDIA_ROOT" not in os.environ:  # given: shared with a worker (.ci/skala)
    # uploaded and generated files in a directory of this run's own, removed when it ends:
    # not in the developer's media, and not shared with a run beside it (.ci/test runs SQLite
    # and PostgreSQL at once)
    MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="arenden-test-media-"))
    atexit.register(shutil.rmtree, MEDIA_ROOT, ignore_errors=True)

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not memory: the browser tests' live server then works on a connection of its
    # own, with SQLite's real locking, instead of sharing the test's one connection.
    # One file per test run, so that two runs side by side do not share (and break) it.
    (BASE_DIR / "test-output").mkdir(exist_ok=True)  # noqa: F405
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": str(BASE_DIR / "test-output" / f"test-{os.getpid()}.sqlite3")  # noqa: F405
    }
