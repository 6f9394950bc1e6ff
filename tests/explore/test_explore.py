# SPDX-License-Identifier: MIT
"""`ketasim explore` end to end: loopback only unless asked, survives malformed requests, and in
headless Chromium (Debian's chromium + chromium-driver, driven by selenium) a moved control redraws
the chain: halving the dose halves the plasma peak (the PK is linear), read back from the page.
Run by CTest (tests/explore.cmake) with KETASIM_CLI set."""
import os
import re
import socket
import subprocess
import tempfile
import time

import pytest

CLI = os.environ["KETASIM_CLI"]


@pytest.fixture(scope="module")
def server():
    p = subprocess.Popen([CLI, "explore", "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = p.stdout.readline()
    m = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
    assert m, line
    yield int(m.group(1))
    p.terminate()
    assert p.wait(timeout=10) == 0


def raw(port, data, read=True):
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(data)
        if not read:
            return b""
        chunks = []
        try:
            while True:
                c = s.recv(65536)
                if not c:
                    break
                chunks.append(c)
        except (socket.timeout, ConnectionResetError):
            pass
        return b"".join(chunks)


def test_refuses_non_loopback_without_allow_remote():
    r = subprocess.run([CLI, "explore", "--host", "0.0.0.0", "--port", "0"], capture_output=True, text=True, timeout=10)
    assert r.returncode == 2
    assert "loopback" in r.stderr
    r = subprocess.run([CLI, "explore", "--port", "70000"], capture_output=True, text=True, timeout=10)
    assert r.returncode == 2


def test_survives_malformed_requests(server):
    bad = [b"GARBAGE\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n", b"GET /api/chain?dose=%zz HTTP/1.1\r\nHost: x\r\n\r\n",
           b"GET /api/chain?dose=1e999 HTTP/1.1\r\nHost: x\r\n\r\n",
           b"GET /api/chain?drug=../../etc HTTP/1.1\r\nHost: x\r\n\r\n",
           b"GET /" + b"a" * 100000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
           b"GET / HTTP/1.1\r\nHost: x\r\n" + b"X-Long: " + b"b" * 200000 + b"\r\n\r\n",
           b"POST /api/chain HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello",
           b"GET /api/chain HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n12"]
    for b in bad:
        raw(server, b, read=True)
    raw(server, b"GET / HTTP/1.1\r\n", read=False)  # half a request, then hang up
    r = raw(server, b"GET /api/chain?dose=abc HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert r.startswith(b"HTTP/1.1 400"), r[:80]
    r = raw(server, b"GET /api/chain?dose=5 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert r.startswith(b"HTTP/1.1 400") and b"studied range" in r, r[:300]
    r = raw(server, b"DELETE / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert r.startswith(b"HTTP/1.1 405"), r[:80]
    # Still serving after all of that.
    r = raw(server, b"GET /api/chain?dose=0.5 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert r.startswith(b"HTTP/1.1 200") and b"\"series\"" in r


def test_browser_control_redraws_the_chain(server):
    from selenium import webdriver
    from selenium.webdriver.support.ui import WebDriverWait

    # Chromium and chromedriver are started here and joined by explicit 127.0.0.1 addresses: a
    # minimal machine may have no "localhost" name at all (no /etc/hosts), which both selenium's
    # Service and chromedriver's own browser launch rely on.
    def free_port():
        with socket.socket() as sk:
            sk.bind(("127.0.0.1", 0))
            return sk.getsockname()[1]

    def wait_port(p, proc, what):
        t0 = time.time()
        while True:
            try:
                socket.create_connection(("127.0.0.1", p), timeout=1).close()
                return
            except OSError:
                if proc.poll() is not None or time.time() - t0 > 60:
                    proc.kill()
                    pytest.fail(f"{what} did not start")
                time.sleep(0.2)

    dport, port = free_port(), free_port()
    chrome = subprocess.Popen(["/usr/bin/chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                               "--no-first-run", "--disable-background-networking", "--disable-component-update",
                               "--disable-sync", "--disable-dev-shm-usage", "--window-size=1200,900",
                               f"--user-data-dir={tempfile.mkdtemp()}", "--remote-debugging-address=127.0.0.1",
                               f"--remote-debugging-port={dport}", "about:blank"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_port(dport, chrome, "chromium")
    drv = subprocess.Popen(["/usr/bin/chromedriver", f"--port={port}"], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    wait_port(port, drv, "chromedriver")
    o = webdriver.ChromeOptions()
    o.debugger_address = f"127.0.0.1:{dport}"
    try:
        d = webdriver.Remote(command_executor=f"http://127.0.0.1:{port}", options=o)
    except Exception:
        drv.kill()
        chrome.kill()
        raise
    try:
        d.get(f"http://127.0.0.1:{server}/")
        wait = WebDriverWait(d, 30)
        wait.until(lambda d: d.find_element("id", "status").get_attribute("data-done"))
        peak = lambda: float(d.find_element("id", "peak-plasma_s_ketamine_ng_per_mL").text)  # noqa: E731
        p1 = peak()
        assert len(d.find_elements("css selector", ".chart")) >= 8
        done = d.find_element("id", "status").get_attribute("data-done")
        t0 = time.time()
        d.execute_script("const e=document.getElementById('dose'); e.value='0.25';"
                         "e.dispatchEvent(new Event('input'));")
        wait.until(lambda d: d.find_element("id", "status").get_attribute("data-done") != done)
        redraw_s = time.time() - t0
        p2 = peak()
        assert d.find_element("id", "dose-out").text == "0.25"
        assert abs(p2 / p1 - 0.5) < 0.02, (p1, p2)  # linear PK: half the dose, half the peak
        assert redraw_s < 5.0  # generous: a shared CI machine; typical well under 1 s
        # A dose outside the studied range is refused on the page, not drawn.
        d.execute_script("const e=document.getElementById('dose'); e.max='3'; e.value='2';"
                         "e.dispatchEvent(new Event('input'));")
        wait.until(lambda d: "refused" in d.find_element("id", "status").text)
    finally:
        d.quit()
        for p in (drv, chrome):
            p.terminate()
            p.wait(timeout=10)
