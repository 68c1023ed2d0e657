"""Behind a real nginx (Debian's, started by the test on loopback): the proxy mode README documents.

nginx listens on two free ports, plain http and https (a self-signed certificate made here), with
README's proxy settings, in front of `harvest serve`'s waitress server with PROXY_FIX on. Clients
come from different loopback addresses (127.0.0.2, 127.0.0.3...), so nginx sees distinct clients as
it would at a venue. Checked: each client has its own rate-limit key (one hitting the per-address
limit does not stop another, and a forged X-Forwarded-For changes nothing), HSTS is sent when the
proxy says https, and links carry the public host and scheme. Stops nginx and the server itself.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import socket
import ssl
import subprocess
import threading
import time
from http.cookies import SimpleCookie

import pytest

from tests.web_helpers import ORGANISER, seed_event

pytestmark = pytest.mark.proxy

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
PUBLIC_HOST = "harvest.example.org"
TIMEOUT = 10

NGINX_CONF = """
worker_processes 1;
{user}
pid {tmp}/nginx.pid;
error_log {tmp}/error.log;
events {{ worker_connections 128; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    server {{
        listen 127.0.0.1:{http_port};
        listen 127.0.0.1:{https_port} ssl;
        server_name {host};
        ssl_certificate {tmp}/cert.pem;
        ssl_certificate_key {tmp}/key.pem;
        client_max_body_size 21m;
        location / {{
            # As README's "Behind a reverse proxy".
            proxy_pass http://127.0.0.1:{app_port};
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Forwarded-Host $host;
        }}
    }}
}}
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_port(port: int, proc: subprocess.Popen, log) -> None:
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"nginx stopped: {log.read_text() if log.exists() else ''}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"nginx did not listen on {port}")


@pytest.fixture
def proxied(app, tmp_path):
    """waitress (as `harvest serve` sets it up, proxy mode on) behind nginx; yields the two ports."""
    from web import create_app
    from web.serving import create_server

    assert os.path.exists(NGINX), "nginx is missing: `make test` installs it (apt-get install nginx)"
    # The app fixture made the organiser; this app serves the same database in proxy mode.
    behind = create_app({"DATABASE": app.config["DATABASE"], "SECRET_KEY": "proxy-test-key",
                         "PROXY_FIX": True, "TRUSTED_PROXY": "127.0.0.1",
                         "SUBMIT_LIMIT_PER_ADDRESS": "3 per minute",
                         "SUBMIT_LIMIT_PER_SESSION": "100 per minute"})
    assert type(behind.wsgi_app).__name__ == "ProxyFix"
    server = create_server(behind, "127.0.0.1", 0, threads=4)
    assert server.adj.trusted_proxy == "127.0.0.1" and server.adj.clear_untrusted_proxy_headers
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-days", "1", "-subj", f"/CN={PUBLIC_HOST}",
                    "-keyout", str(tmp_path / "key.pem"), "-out", str(tmp_path / "cert.pem")],
                   check=True, capture_output=True, timeout=30)
    http_port, https_port = _free_port(), _free_port()
    user = "user root;" if os.geteuid() == 0 else ""  # workers may read the files made here
    (tmp_path / "nginx.conf").write_text(NGINX_CONF.format(
        tmp=tmp_path, user=user, http_port=http_port, https_port=https_port, host=PUBLIC_HOST,
        app_port=server.effective_port))
    proc = subprocess.Popen([NGINX, "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"),
                             "-e", str(tmp_path / "error.log"), "-g", "daemon off;"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _wait_for_port(http_port, proc, tmp_path / "error.log")
        _wait_for_port(https_port, proc, tmp_path / "error.log")
        yield {"http": http_port, "https": https_port, "app": server.effective_port}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=TIMEOUT)
        proc.stderr.close()
        server.close()
        thread.join(timeout=TIMEOUT)


class Browser:
    """A client at one loopback address, keeping its cookies (http.client: it can choose its source)."""

    def __init__(self, port: int, address: str, https: bool = False):
        self.port, self.address, self.https = port, address, https
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: dict | None = None, headers: dict | None = None):
        from urllib.parse import urlencode

        if self.https:
            conn = http.client.HTTPSConnection("127.0.0.1", self.port, timeout=TIMEOUT,
                                               source_address=(self.address, 0),
                                               context=ssl._create_unverified_context())
        else:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT,
                                              source_address=(self.address, 0))
        scheme = "https" if self.https else "http"
        sent = {"Host": PUBLIC_HOST, "Referer": f"{scheme}://{PUBLIC_HOST}{path}", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = urlencode(body)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=data, headers=sent)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
        finally:
            conn.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response, text


def _token(page: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert match, "no csrf_token on the page"
    return match.group(1)


def _send_note(browser: Browser, token: str, text: str, headers: dict | None = None) -> int:
    response, page = browser.request("GET", f"/t/{token}", headers=headers)
    assert response.status == 200, response.status
    fields = {"csrf_token": _token(page), "text": text}
    key = re.search(r'name="submission"[^>]*value="([^"]+)"', page)  # the form's idempotency key
    if key:
        fields["submission"] = key.group(1)
    response, _ = browser.request("POST", f"/t/{token}", fields, headers=headers)
    return response.status


def test_distinct_clients_behind_nginx_get_distinct_rate_limit_keys(proxied, db_path):
    _, tables = seed_event(db_path, "proxied", tables=("T1",))
    token = tables[0].token
    first = Browser(proxied["http"], "127.0.0.2")
    codes = [_send_note(first, token, f"Note {i} from the first attendee.") for i in range(4)]
    assert codes == [302, 302, 302, 429]  # the per-address limit (3 a minute) is this client's
    second = Browser(proxied["http"], "127.0.0.3")
    assert _send_note(second, token, "A note from another attendee.") == 302
    # A client naming another address in X-Forwarded-For is still known by its own: nginx appends
    # the real one and only that last hop is believed.
    liar = Browser(proxied["http"], "127.0.0.2")
    assert _send_note(liar, token, "Pretending to be elsewhere.", {"X-Forwarded-For": "10.9.9.9"}) == 429
    # Straight to waitress, bypassing nginx: X-Forwarded-* from anyone but the proxy are dropped, so
    # naming the exhausted address neither borrows its key nor gets this client blocked.
    direct = Browser(proxied["app"], "127.0.0.4")
    assert _send_note(direct, token, "Straight to the server.", {"X-Forwarded-For": "127.0.0.3"}) == 302


def test_hsts_when_the_proxy_says_https_and_links_carry_the_public_host(proxied, db_path):
    _, tables = seed_event(db_path, "proxied", tables=("T1",))
    plain, _ = Browser(proxied["http"], "127.0.0.5").request("GET", "/auth/login")
    assert plain.status == 200 and plain.getheader("Strict-Transport-Security") is None
    assert "Secure" not in plain.getheader("Set-Cookie")  # plain http: the cookie must still work
    browser = Browser(proxied["https"], "127.0.0.5", https=True)
    page, text = browser.request("GET", "/auth/login")
    assert page.getheader("Strict-Transport-Security") == "max-age=31536000"
    response, _ = browser.request("POST", "/auth/login", {"csrf_token": _token(text), "email": ORGANISER[0],
                                                          "password": ORGANISER[1]})
    assert response.status == 302
    assert "Secure" in response.getheader("Set-Cookie")  # over https, though the app speaks http
    assert response.getheader("Location") in ("/events/", f"https://{PUBLIC_HOST}/events/")
    response, event_page = browser.request("GET", "/events/proxied")
    assert response.status == 200
    assert f"https://{PUBLIC_HOST}/t/{tables[0].token}" in event_page
    assert "127.0.0.1" not in event_page
    _, feed = browser.request("GET", "/digests.atom")
    assert f"https://{PUBLIC_HOST}/" in feed
