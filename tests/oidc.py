"""A real OpenID Connect provider for the tests: the npm package `oidc-provider`, on 127.0.0.1.

`tests/peers` pins it (package-lock.json); the first test that needs it installs it with `npm ci`.
The provider's development sign-in form takes any login and password: the login is the account,
whose claims the test gives.
"""

from __future__ import annotations

import json
import re
import select
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from typing import IO
from urllib.parse import urljoin

import httpx

from tests.smtp import free_port

PEERS = Path(__file__).parent / "peers"
CLIENT_ID = "cooc"
START_TIMEOUT_SECONDS = 90
CLIENT_SECRET = "cooc-test-client-secret-0123456789"


@dataclass(frozen=True)
class OidcProvider:
    issuer: str
    url: str


def install_peers() -> None:
    if not (PEERS / "node_modules" / "oidc-provider").is_dir():
        npm = shutil.which("npm")
        assert npm, "the OpenID Connect tests need Node.js and npm"
        subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--silent"], cwd=PEERS, check=True, timeout=300)


@contextmanager
def running_oidc_provider(
    redirect_uris: list[str], accounts: dict[str, dict[str, object]], port: int | None = None, issuer: str | None = None
) -> Iterator[OidcProvider]:
    """Start the provider (a new signing key every start, as after a key rotation) and stop it afterwards.

    `issuer` is what the provider calls itself, by default the address it listens on.
    """
    install_peers()
    port = port or free_port()
    issuer = issuer or f"http://127.0.0.1:{port}"
    config = {
        "issuer": issuer,
        "port": port,
        "client": {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "redirect_uris": redirect_uris},
        "accounts": accounts,
    }
    node = shutil.which("node")
    assert node, "the OpenID Connect tests need Node.js"
    with tempfile.TemporaryDirectory() as folder, open(Path(folder) / "provider.log", "w+") as log:
        config_file = Path(folder) / "provider.json"
        config_file.write_text(json.dumps(config))
        command = [node, str(PEERS / "oidc-provider.mjs"), str(config_file)]
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log, text=True)
        try:
            _wait_until_ready(process, log)
            yield OidcProvider(issuer, f"http://127.0.0.1:{port}")
        finally:
            process.terminate()
            process.wait(timeout=10)


def _wait_until_ready(process: subprocess.Popen[str], log: IO[str]) -> None:
    """Wait for the provider's "ready" line; on a machine under load Node.js can take a while to start."""
    assert process.stdout is not None
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        ready, _, _ = select.select([process.stdout], [], [], 0.5)
        if ready:
            line = process.stdout.readline()
            if line.strip() == "ready":
                return
            if not line and process.poll() is not None:
                break
    process.terminate()
    process.wait(timeout=10)
    log.seek(0)
    raise AssertionError(f"the OpenID provider did not start (exit code {process.returncode}): {log.read()}")


FORM_ACTION = re.compile(r'<form[^>]*action="([^"]+)"')


def sign_in_at_provider(authorize_url: str, login: str, stop_at: str) -> str:
    """Drive the provider like a browser: follow its redirects, fill its sign-in form, and return the
    URL it finally sends the browser to (the one starting with `stop_at`, the relying party's callback)."""
    with httpx.Client(timeout=10) as browser:
        url, form = authorize_url, None
        for _ in range(10):
            response = browser.post(url, data=form) if form else browser.get(url)
            form = None
            if response.is_redirect:
                url = urljoin(url, response.headers["location"])
                if url.startswith(stop_at):
                    return url
                continue
            action = FORM_ACTION.search(response.text)
            assert action, f"the provider answered {response.status_code}: {response.text[:500]}"
            url = urljoin(url, unescape(action.group(1)))
            form = {"prompt": "login", "login": login, "password": "any password"}
        raise AssertionError("the provider never sent the browser back")
