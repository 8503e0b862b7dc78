"""The nginx configuration of docs/deployment.md, taken from the document itself, in front of two
server processes (PostgreSQL + Redis): pages, the kiosk API and Socket.IO over WebSocket and over
long-polling all pass through it, and a call made on one process reaches displays behind nginx."""
from __future__ import annotations

import re
import shutil
import subprocess
import time

import pytest
import requests

from tests.support.clients import DisplayClient, Staff
from tests.support.env import ROOT, need
from tests.support.live_server import free_port


def nginx_config(folder, listen: int, upstreams: list[int]) -> str:
    doc = (ROOT / "docs" / "deployment.md").read_text(encoding="utf-8")
    block = re.search(r"```nginx\n(.*?)```", doc, re.S).group(1)
    block = re.sub(r"\s*server 127\.0\.0\.1:500\d;", "", block)
    block = block.replace("hash $remote_addr consistent;", "hash $remote_addr consistent;\n" + "".join(
        f"    server 127.0.0.1:{p};\n" for p in upstreams))
    # plain HTTP on a free port for the test (TLS is nginx's own business), no redirect server
    block = block.replace("listen 443 ssl;", f"listen 127.0.0.1:{listen};")
    block = re.sub(r"\s*ssl_certificate(_key)? [^;]+;", "", block)
    block = block[:block.rindex("server {")]
    return (f"pid {folder}/nginx.pid;\nerror_log {folder}/error.log;\nevents {{}}\n"
            f"http {{\naccess_log {folder}/access.log;\nclient_body_temp_path {folder};\n"
            f"proxy_temp_path {folder};\n{block}\n}}\n")


@pytest.fixture
def nginx(tmp_path, two_servers):
    binary = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")
    need(binary is not None, "nginx is not installed (apt-get install nginx-light)")
    folder = tmp_path / "nginx"
    folder.mkdir()
    port = free_port()
    (folder / "nginx.conf").write_text(nginx_config(folder, port, [s.port for s in two_servers]))
    check = subprocess.run([binary, "-t", "-c", str(folder / "nginx.conf"), "-p", str(folder)],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    proc = subprocess.Popen([binary, "-c", str(folder / "nginx.conf"), "-p", str(folder), "-g", "daemon off;"],
                            stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=1)
            break
        except requests.ConnectionError:
            time.sleep(0.05)
    yield url
    proc.terminate()
    proc.wait(10)


def display_over(url: str, transport: str) -> DisplayClient:
    """A display client on one transport only (DisplayClient itself uses WebSocket)."""
    return DisplayClient(url, transports=[transport])


@pytest.mark.postgres
@pytest.mark.redis
def test_documented_nginx_config_carries_pages_api_and_socketio(nginx, two_servers):
    one, two = two_servers
    assert "Kecamatan Kampak" in requests.get(f"{nginx}/kiosk/", timeout=10).text
    ticket = requests.post(f"{nginx}/api/v1/tickets", json={"service": "ktp"}, timeout=10)
    assert ticket.status_code == 201
    displays = [display_over(nginx, "websocket"), display_over(nginx, "polling")]
    try:
        assert displays[0].sio.transport() == "websocket" and displays[1].sio.transport() == "polling"
        assert all(d.snapshots for d in displays)
        Staff(two, "pelayanan1").post("/counter/call-next")  # straight to a process, not through nginx
        for d in displays:
            assert d.got_call.wait(5), "a display behind nginx did not get the call"
            assert d.calls[-1]["number"] == ticket.json()["number"]
    finally:
        for d in displays:
            d.close()
