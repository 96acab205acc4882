"""One JSON line per request and per error, each carrying the request id the response echoes."""

import io
import json
import logging

import pytest

from web.logs import JsonFormatter


@pytest.fixture
def log_lines():
    """Everything the "vetted" loggers write, as the JSON lines production gets."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("vetted")
    logger.addHandler(handler)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logger.removeHandler(handler)


def test_each_request_logs_one_json_line(demo, client, log_lines):
    response = client.get(
        "/articles/all-blast-crisis-treatment?audience=plain",
        environ_base={"REMOTE_ADDR": "203.0.113.9"},
    )
    [line] = [line for line in log_lines() if line["logger"] == "vetted.access"]
    assert line["request_id"] == response.headers["X-Request-ID"]
    assert len(line["request_id"]) == 32
    assert line["method"] == "GET"
    assert line["path"] == "/articles/all-blast-crisis-treatment"
    assert line["route"] == "/articles/<slug>" and line["endpoint"] == "articles.detail"
    assert line["status"] == 200
    assert 0 < line["duration_ms"] < 10_000
    assert line["client"] == "203.0.113.9"
    assert line["level"] == "INFO" and line["time"].endswith("+00:00")
    assert "plain" not in json.dumps(line)  # query strings are never logged


def test_a_sane_request_id_from_the_proxy_is_kept(client, log_lines):
    response = client.get("/healthz", headers={"X-Request-ID": "0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c"})
    assert response.headers["X-Request-ID"] == "0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c"
    assert log_lines()[-1]["request_id"] == "0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c"


@pytest.mark.parametrize("incoming", ["short", "x" * 200, "bad id forged: log line", "<script>"])
def test_an_odd_request_id_is_replaced(client, incoming):
    response = client.get("/healthz", headers={"X-Request-ID": incoming})
    assert response.headers["X-Request-ID"] != incoming
    assert len(response.headers["X-Request-ID"]) == 32


def test_errors_are_json_with_the_request_id(app_factory, log_lines):
    app = app_factory()  # a route of its own, on an app that has not served a request yet

    @app.get("/boom")
    def boom():
        raise RuntimeError("kaboom")

    response = app.test_client().get("/boom", headers={"X-Request-ID": "req-0000000000000001"})
    assert response.status_code == 500
    assert "kaboom" not in response.get_data(as_text=True)
    error, access = log_lines()
    assert error["logger"] == "vetted.error" and error["level"] == "ERROR"
    assert error["request_id"] == "req-0000000000000001" == access["request_id"]
    assert error["error"] == "RuntimeError('kaboom')"
    assert "Traceback" in error["traceback"] and "kaboom" in error["traceback"]
    assert access["status"] == 500


def test_behind_a_trusted_proxy_the_client_address_is_the_forwarded_one(app_factory, log_lines):
    headers = {"X-Forwarded-For": "198.51.100.7", "X-Forwarded-Proto": "https"}
    trusting = app_factory(TRUSTED_PROXIES=1).test_client()
    trusting.get("/healthz", headers=headers, environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert log_lines()[-1]["client"] == "198.51.100.7"
    direct = app_factory().test_client()
    direct.get("/healthz", headers=headers, environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert log_lines()[-1]["client"] == "127.0.0.1"  # a forgeable header, not believed
