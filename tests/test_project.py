"""The project's set-up: settings defaults, production checks, the one-way architecture,
and the demo data command."""

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent


def test_swedish_language_and_stockholm_time():
    assert settings.LANGUAGE_CODE == "sv"
    assert settings.TIME_ZONE == "Europe/Stockholm"
    assert settings.USE_TZ


def run_manage(*args, **env):
    clean = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=clean, capture_output=True, text=True
    )


def test_zero_configuration_uses_sqlite_in_the_project_folder():
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(settings.DATABASES['default']['NAME'])",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(ROOT / "db.sqlite3")


def test_database_url_selects_postgresql():
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.db import connection; print(connection.vendor)",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/exempel",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "postgresql"


def test_production_mode_passes_check_deploy():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_PRODUCTION="1",
        DJANGO_SECRET_KEY="x" * 20 + "ett-långt-och-slumpmässigt-värde-för-produktion-1234567890",
        DJANGO_ALLOWED_HOSTS="arenden.example.se",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_mode_refuses_to_start_without_a_secret_key():
    result = run_manage("check", DJANGO_PRODUCTION="1", DJANGO_ALLOWED_HOSTS="a.example.se")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def imported_modules(folder: Path):
    for path in folder.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    yield path, alias.name
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                yield path, node.module


def test_the_engine_never_imports_the_domain():
    offending = [
        (str(path.relative_to(ROOT)), module)
        for path, module in imported_modules(ROOT / "workflow")
        if module.split(".")[0] in {"arenden", "flows", "tests"}
    ]
    assert offending == []


@pytest.mark.django_db
def test_load_demo_gives_each_role_a_user_and_is_idempotent():
    from arenden.models import Organ
    from workflow.roles import roles_in_context

    call_command("load_demo", stdout=open(os.devnull, "w"))
    snapshot = sorted(User.objects.values_list("username", "groups__name"))
    call_command("load_demo", stdout=open(os.devnull, "w"))
    assert sorted(User.objects.values_list("username", "groups__name")) == snapshot
    assert Organ.objects.count() == 5

    hsn = Organ.objects.get(kod="HSN")
    expected = {
        "stabschef": "Stabschef",
        "sekreterare": "Nämndsekreterare",
        "registrator": "Registrator",
        "revisor": "Revisor",
    }
    for username, role in expected.items():
        assert role in roles_in_context(User.objects.get(username=username), hsn)
    assert "Handläggare" not in roles_in_context(User.objects.get(username="handlaggare"), hsn)
    assert User.objects.get(username="handlaggare").check_password("demo-2025")


def test_persistent_connections_are_checked_before_a_request_uses_them():
    """After a database restart, the next request in each worker gets a new connection."""
    from django.conf import settings

    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True


def test_production_mode_refuses_a_short_secret_key():
    result = run_manage(
        "check",
        DJANGO_PRODUCTION="1",
        DJANGO_SECRET_KEY="a",
        DJANGO_ALLOWED_HOSTS="a.example.se",
    )
    assert result.returncode != 0
    assert "minst 50 slumpmässiga tecken" in result.stderr


def test_load_demo_is_refused_in_production_mode():
    """It would create users with a known password, admin among them."""
    result = run_manage(
        "load_demo",
        DJANGO_PRODUCTION="1",
        DJANGO_SECRET_KEY="x" * 20 + "ett-långt-och-slumpmässigt-värde-för-produktion-1234567890",
        DJANGO_ALLOWED_HOSTS="arenden.example.se",
        DATABASE_URL="sqlite:////nonexistent/aldrig.sqlite3",
    )
    assert result.returncode != 0
    assert "Demodata läses inte in i produktionsläge." in result.stderr


@pytest.mark.parametrize("losenord", ["Sommar2025", "lösenord123", "1234567890123"])
def test_a_weak_password_is_refused(losenord):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        validate_password(losenord)
    validate_password("Kvällssol-över-Umeälven-7")


@pytest.mark.django_db
def test_a_logged_in_page_is_never_cached_and_a_public_one_may_be(client):
    from tests import factories

    cast = factories.Cast()
    arende = cast.registrera("Ett ärende")
    client.force_login(cast.stabschef)
    for url in ("/", f"/arende/{arende.pk}/", "/arbetslista/att_tilldela/"):
        assert "no-store" in client.get(url)["Cache-Control"], url
    client.logout()
    assert "no-store" not in client.get("/postlista/").get("Cache-Control", "")


@pytest.mark.django_db
def test_five_wrong_passwords_lock_the_login_out_for_a_while(client):
    """Throttling (django-axes): 50 wrong passwords in 16 s went through unhindered."""
    User.objects.create_user("handlaggare", password="Rätt-lösenord-2025")
    User.objects.create_user("kollega", password="Kollegans-lösenord-2025")
    url = "/konto/logga-in/"
    for _ in range(4):
        page = client.post(url, {"username": "handlaggare", "password": "Sommar2025"})
        assert page.status_code == 200  # the form again, with its error
    fifth = client.post(url, {"username": "handlaggare", "password": "Sommar2025"})
    assert fifth.status_code == 429
    locked = client.post(url, {"username": "handlaggare", "password": "Rätt-lösenord-2025"})
    assert locked.status_code == 429
    assert "För många misslyckade inloggningar" in locked.content.decode()
    # another person from the same place is not locked out
    other = client.post(url, {"username": "kollega", "password": "Kollegans-lösenord-2025"})
    assert other.status_code == 302


@pytest.mark.django_db
def test_every_page_says_where_its_scripts_and_styles_may_come_from(client):
    for url in ("/postlista/", "/konto/logga-in/", "/anslagstavla/"):
        policy = client.get(url)["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy, url
        assert "frame-ancestors 'none'" in policy, url


def test_sqlite_runs_in_wal_mode_with_normal_sync_and_foreign_keys(tmp_path):
    """The embedded default is configured for its job: write-ahead log, fsync at checkpoints,
    foreign keys enforced, a writer that waits for the lock (README, "Konfiguration")."""
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.db import connection\n"
        "with connection.cursor() as c:\n"
        "    for p in ('journal_mode', 'synchronous', 'foreign_keys', 'busy_timeout'):\n"
        "        c.execute(f'PRAGMA {p}'); print(p, c.fetchone()[0])",
        DATABASE_URL=f"sqlite:///{tmp_path / 'prov.sqlite3'}",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:4] == [
        "journal_mode wal",
        "synchronous 1",
        "foreign_keys 1",
        "busy_timeout 20000",
    ]
