"""Article input: pasted text, .txt/.html/.pdf/.docx files, and URLs fetched from a local HTTP server."""

from __future__ import annotations

import datetime as dt
import http.server
import io
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

from lib.capture import netguard, text

HTML = b"""<html><head><title>Turkey reiterates S-400 stance | News About Turkey</title>
<meta property="og:site_name" content="News About Turkey">
<meta property="article:published_time" content="2025-09-05T10:00:00Z"></head>
<body><nav>Home | About | Subscribe</nav><article><h1>Turkey reiterates S-400 stance</h1>
<p>"The S-400 air defense systems are in our inventory, and there is no change in our position," Turkish defence
ministry sources said on Thursday, answering reports of a Russian request.</p>
<p>Nefes reported on September 3 that Russia had approached Ankara about taking back the systems.</p>
</article><footer>Copyright 2025 cookie banner text</footer></body></html>"""


def test_paste_keeps_text_and_takes_first_line_as_title() -> None:
    """Pasted text is kept as written; its short first line is the title."""
    article = text.from_paste("Headline here\r\n\r\nBody text said the ministry.")
    assert article.title == "Headline here"
    assert article.text == "Headline here\n\nBody text said the ministry."


def test_html_main_text_and_metadata() -> None:
    """A saved web page gives its article text without navigation, plus title, outlet and date."""
    article = text.from_file("page.html", HTML)
    assert "no change in our position" in article.text
    assert "Subscribe" not in article.text and "cookie" not in article.text
    assert article.site_name == "News About Turkey"
    assert article.published == dt.date(2025, 9, 5)
    assert article.title.startswith("Turkey reiterates S-400 stance")


def test_pdf_text(tmp_path: Path) -> None:
    """A PDF's text is extracted page by page (Turkish letters included)."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_font("dejavu", fname="/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    pdf.set_font("dejavu", size=11)
    for line in ("Milli Savunma Bakanlığı kaynakları açıklama yaptı.", "Second page: no change in our position."):
        pdf.add_page()
        pdf.multi_cell(0, 8, line)
    article = text.from_file("report.pdf", bytes(pdf.output()))
    assert "Milli Savunma Bakanlığı" in article.text
    assert "no change in our position" in article.text


def test_docx_text_and_title() -> None:
    """A Word file's paragraphs become the text; its core title is the title."""
    import docx

    document = docx.Document()
    document.core_properties.title = "MSB açıklaması"
    document.add_paragraph("MSB kaynakları, \"tutumumuzda değişiklik yok\" dedi.")
    document.add_paragraph("")
    document.add_paragraph("İkinci paragraf.")
    buffer = io.BytesIO()
    document.save(buffer)
    article = text.from_file("note.docx", buffer.getvalue())
    assert article.title == "MSB açıklaması"
    assert article.text == "MSB kaynakları, \"tutumumuzda değişiklik yok\" dedi.\nİkinci paragraf."


def test_unknown_extension_and_broken_pdf_are_refused_with_a_reason() -> None:
    """An unsupported or unreadable file is an InputError naming the problem, not a traceback."""
    with pytest.raises(text.InputError, match=r"not a \.txt"):
        text.from_file("sheet.xlsx", b"PK")
    with pytest.raises(text.InputError, match="PDF"):
        text.from_file("broken.pdf", b"%PDF-1.4 nonsense")


def test_language_guess() -> None:
    """Turkish and English copy are told apart."""
    assert text.guess_language("Bakanlık, tutumumuzda bir değişiklik olmadığını açıkladı ve bu konuda net.") == "tr"
    assert text.guess_language("The ministry said that there is no change in its position.") == "en"


class _Handler(http.server.BaseHTTPRequestHandler):
    routes: ClassVar[dict[str, tuple[str, bytes]]] = {}

    def do_GET(self) -> None:
        if self.path.startswith("/redirect-to/"):
            self.send_response(302)
            self.send_header("Location", "http://" + self.path.removeprefix("/redirect-to/"))
            self.end_headers()
            return
        kind, body = self.routes.get(self.path, ("text/plain", b"not found"))
        self.send_response(200 if self.path in self.routes else 404)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A local HTTP server on 127.0.0.1 serving a page, a text, an image, a large body and a redirect to itself.

    Fetches reach it because the test allows private addresses, as an intranet deployment would.
    """
    monkeypatch.setenv(netguard.ALLOW_PRIVATE, "1")
    _Handler.routes = {
        "/article": ("text/html; charset=utf-8", HTML),
        "/plain": ("text/plain; charset=utf-8", "Düz metin: MSB açıklama yaptı.".encode()),
        "/image": ("image/png", b"\x89PNG...."),
        "/big": ("text/plain", b"x" * 5000),
    }
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_url_fetch_reads_html(server: str) -> None:
    """A fetched page is read like a saved one and keeps its address."""
    article = text.from_url(f"{server}/article")
    assert "no change in our position" in article.text
    assert article.url == f"{server}/article"
    assert article.site_name == "News About Turkey"


def test_url_fetch_checks_type_size_status_and_scheme(server: str) -> None:
    """Only http(s), a readable content type, a bounded size and a good status are accepted."""
    assert text.from_url(f"{server}/plain").text.startswith("Düz metin")
    with pytest.raises(text.InputError, match="content type 'image/png'"):
        text.from_url(f"{server}/image")
    with pytest.raises(text.InputError, match="allowed"):
        text.from_url(f"{server}/big", max_bytes=1000)
    with pytest.raises(text.InputError, match="could not be fetched"):
        text.from_url(f"{server}/missing")
    with pytest.raises(text.InputError, match="not an http"):
        text.from_url("file:///etc/passwd")


def test_url_fetch_times_out(monkeypatch: pytest.MonkeyPatch) -> None:
    """A server that accepts but never answers is given up after the timeout."""
    import socket

    monkeypatch.setenv(netguard.ALLOW_PRIVATE, "1")
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    try:
        with pytest.raises(text.InputError, match="could not be fetched"):
            text.from_url(f"http://127.0.0.1:{listener.getsockname()[1]}/slow", timeout=0.5)
    finally:
        listener.close()


@pytest.mark.parametrize(("address", "public"), [
    ("93.184.215.14", True), ("2606:4700::6810:84e5", True), ("127.0.0.1", False), ("10.1.2.3", False),
    ("172.16.0.1", False), ("192.168.1.1", False), ("169.254.169.254", False), ("100.64.0.1", False),
    ("0.0.0.0", False), ("::1", False), ("fe80::1", False), ("fd00::1", False), ("::ffff:127.0.0.1", False),
    ("224.0.0.1", False),
])
def test_only_global_unicast_addresses_are_public(address: str, public: bool) -> None:
    """Loopback, private, link-local (cloud metadata), shared, unspecified, multicast and mapped-loopback are not."""
    assert netguard.is_public(address) is public


def test_url_fetch_refuses_the_servers_own_network(monkeypatch: pytest.MonkeyPatch, server: str) -> None:
    """Without the setting, loopback, the metadata address and a name resolving privately are refused unconnected."""
    monkeypatch.delenv(netguard.ALLOW_PRIVATE)
    connected: list[object] = []
    monkeypatch.setattr(netguard.socket.socket, "connect", lambda *a: connected.append(a))
    for url in (f"{server}/article", "http://169.254.169.254/latest/meta-data/", "http://[::1]:9/"):
        with pytest.raises(text.InputError, match="private or reserved address"):
            text.from_url(url)
    monkeypatch.setattr(netguard.socket, "getaddrinfo",
                        lambda *a, **k: [(netguard.socket.AF_INET, netguard.socket.SOCK_STREAM, 6, "", ("10.0.0.7", 80))])
    with pytest.raises(text.InputError, match=r"intranet\.example is a private or reserved address \(10\.0\.0\.7\)"):
        text.from_url("http://intranet.example/news")
    assert connected == []


def test_a_redirect_is_checked_like_the_first_address(monkeypatch: pytest.MonkeyPatch, server: str) -> None:
    """A public page that redirects into the private network is refused at the redirect's connection."""
    monkeypatch.delenv(netguard.ALLOW_PRIVATE)
    monkeypatch.setattr(netguard, "is_public", lambda address: address == "127.0.0.1")
    assert "no change in our position" in text.from_url(f"{server}/article").text
    with pytest.raises(text.InputError, match=r"10\.255\.255\.1 is a private or reserved address"):
        text.from_url(f"{server}/redirect-to/10.255.255.1:9/latest")
