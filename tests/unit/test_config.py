import json
import os
import stat
import subprocess
from pathlib import Path

import pytest

from app import create_app
from config import REQUIRED_IN_PRODUCTION, Config, SettingsError

ROOT = Path(__file__).resolve().parents[2]


def test_secret_key_is_generated_once_and_private(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    first = Config(str(tmp_path)).SECRET_KEY
    assert len(first) == 64 and Config(str(tmp_path)).SECRET_KEY == first
    assert stat.S_IMODE((tmp_path / "secret_key").stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]


def test_environment_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "from-env")
    monkeypatch.setenv("DATABASE_URL", "postgres://u@h:5432/db")
    config = Config(str(tmp_path))
    assert config.SECRET_KEY == "from-env"
    assert config.SQLALCHEMY_DATABASE_URI == "postgresql+psycopg://u@h:5432/db"


def test_default_database_is_sqlite_in_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("SECRET_KEY", "x")
    assert Config(str(tmp_path)).SQLALCHEMY_DATABASE_URI == f"sqlite:///{tmp_path}/vetted.db"


PRODUCTION_SETTINGS = {
    "SECRET_KEY": "s" * 64,
    "DATABASE_URL": "postgresql://vetted@db.internal:5432/vetted",
    "REDIS_URL": "redis://cache.internal:6379/0",
}


@pytest.fixture
def production(monkeypatch):
    monkeypatch.setenv("VETTED_ENV", "production")
    for name, value in PRODUCTION_SETTINGS.items():
        monkeypatch.setenv(name, value)
    return monkeypatch


@pytest.mark.parametrize("missing", sorted(PRODUCTION_SETTINGS))
def test_production_refuses_to_start_without_a_required_setting(production, tmp_path, missing):
    production.delenv(missing)
    with pytest.raises(SettingsError) as raised:
        create_app()
    assert str(raised.value) == (
        f"VETTED_ENV=production needs {missing}: {REQUIRED_IN_PRODUCTION[missing]}."
    )
    assert not (tmp_path / "secret_key").exists()


def test_production_names_every_missing_setting_on_its_own_line(production):
    for name in PRODUCTION_SETTINGS:
        production.setenv(name, " ")
    with pytest.raises(SettingsError) as raised:
        Config("/nonexistent")
    lines = str(raised.value).splitlines()
    assert [line.split(":")[0] for line in lines] == [
        f"VETTED_ENV=production needs {name}"
        for name in ("SECRET_KEY", "DATABASE_URL", "REDIS_URL")
    ]


def test_production_with_every_setting_starts_with_production_defaults(production):
    config = Config("/nonexistent")
    assert config.SECRET_KEY == "s" * 64
    assert config.SQLALCHEMY_DATABASE_URI == "postgresql+psycopg://vetted@db.internal:5432/vetted"
    assert config.RATELIMIT_STORAGE_URI == "redis://cache.internal:6379/0"
    assert config.SESSION_COOKIE_SECURE and config.REMEMBER_COOKIE_SECURE
    production.setenv("SESSION_COOKIE_SECURE", "0")  # e.g. a private network without TLS
    assert not Config("/nonexistent").SESSION_COOKIE_SECURE


def test_development_needs_no_configuration(tmp_path, monkeypatch):
    for name in ("VETTED_ENV", *PRODUCTION_SETTINGS, "SESSION_COOKIE_SECURE"):
        monkeypatch.delenv(name, raising=False)
    config = Config(str(tmp_path))
    assert config.RATELIMIT_STORAGE_URI == "memory://"
    assert not config.SESSION_COOKIE_SECURE
    assert config.TRUSTED_PROXIES == 0 and config.CACHE_PURGE_URLS == []


def test_gunicorn_refuses_a_production_start_with_one_line_per_missing_setting(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in PRODUCTION_SETTINGS}
    env |= {"VETTED_ENV": "production", "SECRET_KEY": "x" * 64, "PORT": "0"}
    done = subprocess.run(
        [str(ROOT / ".venv/bin/gunicorn"), "--config", "deploy/gunicorn.conf.py"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    lines = [json.loads(line) for line in done.stderr.splitlines()]
    assert [line["message"] for line in lines if line["level"] == "ERROR"] == [
        f"VETTED_ENV=production needs {name}: {REQUIRED_IN_PRODUCTION[name]}."
        for name in ("DATABASE_URL", "REDIS_URL")
    ]
