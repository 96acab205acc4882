import stat

from config import Config


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
