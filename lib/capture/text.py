"""Article input: pasted text, an uploaded file (.txt, .html, .pdf, .docx) or a URL, to text plus metadata.

Well-kept libraries do the reading (trafilatura for HTML and its metadata,
pypdf, python-docx, dateparser for printed dates); this module only chooses
between them and checks what a server fetch may bring back.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import urllib.parse
import urllib.request
from dataclasses import dataclass, replace
from pathlib import Path

from lib.capture import netguard

MAX_BYTES = 10_000_000
"""Largest file or download read (10 MB): a 50-page PDF is about 1 MB."""
FETCH_TIMEOUT = 10.0
"""Seconds a URL fetch may take to connect and to deliver each read."""

_HTML_TYPES = ("text/html", "application/xhtml+xml")
_PDF_TYPES = ("application/pdf",)
_DOCX_TYPES = ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",)
_TEXT_TYPES = ("text/plain",)
_TURKISH_LETTERS = re.compile(r"[ğışçöüĞİŞÇÖÜ]")
_TURKISH_WORDS = re.compile(r"\b(?:ve|bir|bu|için|ile|olarak|dedi|açıkladı|göre|olan|ancak|değil)\b", re.IGNORECASE)
_ENGLISH_WORDS = re.compile(r"\b(?:the|and|of|to|said|that|is|in|on|according)\b", re.IGNORECASE)


class InputError(ValueError):
    """An article that cannot be read, with a reason the analyst can act on."""


@dataclass(frozen=True)
class Article:
    """An article's main text and what is known about it; every proposal's span indexes ``text``."""

    text: str
    title: str = ""
    site_name: str = ""
    url: str = ""
    published: dt.date | None = None
    language: str = ""

    def with_defaults(self, published: dt.date | None = None, language: str = "") -> Article:
        """The article with a publication date and language filled in where the input gave none."""
        return replace(self, published=self.published or published,
                       language=self.language or language or guess_language(self.text))


def guess_language(text: str) -> str:
    """'tr' or 'en' from letters and common words: the two languages the extractor reads."""
    sample = text[:5000]
    turkish = 3 * len(_TURKISH_LETTERS.findall(sample)) + 5 * len(_TURKISH_WORDS.findall(sample))
    english = 5 * len(_ENGLISH_WORDS.findall(sample))
    return "tr" if turkish > english else "en"


def parse_date(text: str | None) -> dt.date | None:
    """A printed publication date ('2025-09-05', '5 Eylül 2025', 'Sept. 5, 2025') as a date, else None."""
    if not text:
        return None
    import dateparser

    parsed = dateparser.parse(text.strip(), languages=["en", "tr"], settings={"PREFER_DAY_OF_MONTH": "first"})
    return parsed.date() if parsed else None


def from_paste(text: str, title: str = "", url: str = "") -> Article:
    """Pasted text as it is (line ends normalised); a short first line without a full stop is the headline."""
    body = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not title:
        first = body.split("\n", 1)[0].strip()
        headline = 0 < len(first) <= 200 and "\n" in body and first[-1] not in ".!?\"”»:"
        title = first if headline else ""
    return Article(body, title=title, url=url)


def from_file(name: str, data: bytes) -> Article:
    """An uploaded file by its extension: .txt, .html/.htm (as saved from a browser), .pdf or .docx."""
    if len(data) > MAX_BYTES:
        raise InputError(f"{name}: larger than {MAX_BYTES // 1_000_000} MB")
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix in ("html", "htm", "xhtml"):
        return _from_html(data)
    if suffix == "pdf":
        return _from_pdf(data)
    if suffix == "docx":
        return _from_docx(data)
    if suffix in ("txt", "text", "md", ""):
        return from_paste(_decode(data, name))
    raise InputError(f"{name}: not a .txt, .html, .pdf or .docx file")


def from_url(url: str, timeout: float = FETCH_TIMEOUT, max_bytes: int = MAX_BYTES) -> Article:
    """Fetch an http(s) URL on the server: bounded in time and size, public addresses only, read by its content type."""
    parts = urllib.parse.urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(f"'{url[:80]}' is not an http or https address")
    request = urllib.request.Request(url.strip(), headers={"User-Agent": "Stancewatch capture"})
    try:
        with netguard.opener().open(request, timeout=timeout) as response:
            kind = response.headers.get_content_type()
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise InputError(f"{url[:80]}: {int(declared):,} bytes, more than the {max_bytes:,} allowed")
            data = response.read(max_bytes + 1)
    except InputError:
        raise
    except (OSError, ValueError) as exc:
        raise InputError(f"{url[:80]}: could not be fetched ({exc})") from None
    if len(data) > max_bytes:
        raise InputError(f"{url[:80]}: more than the {max_bytes:,} bytes allowed")
    if kind in _HTML_TYPES:
        article = _from_html(data, url=url)
    elif kind in _PDF_TYPES:
        article = _from_pdf(data)
    elif kind in _DOCX_TYPES:
        article = _from_docx(data)
    elif kind in _TEXT_TYPES:
        article = from_paste(_decode(data, url))
    else:
        raise InputError(f"{url[:80]}: content type '{kind}' is not HTML, PDF, DOCX or plain text")
    return replace(article, url=article.url or url)


def from_path_or_url(target: str) -> Article:
    """The CLI's argument: an http(s) URL is fetched, anything else is read as a file."""
    if re.match(r"^https?://", target.strip(), re.IGNORECASE):
        return from_url(target)
    path = Path(target)
    if not path.is_file():
        raise InputError(f"no such file: {target}")
    if path.stat().st_size > MAX_BYTES:
        raise InputError(f"{path.name}: larger than {MAX_BYTES // 1_000_000} MB")
    return from_file(path.name, path.read_bytes())


def _decode(data: bytes, name: str) -> str:
    for encoding in ("utf-8-sig", "cp1254"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputError(f"{name}: the text is neither UTF-8 nor Windows Turkish (cp1254)")


def _from_html(data: bytes, url: str = "") -> Article:
    import trafilatura

    document = trafilatura.bare_extraction(data, url=url or None, with_metadata=True, favor_recall=True)
    if document is None or not (document.text or "").strip():
        raise InputError("no article text found in the page")
    text = document.text.strip()
    title = (document.title or "").strip()
    if title and text.startswith(title):  # trafilatura repeats the headline as the first line
        text = text[len(title):].lstrip()
    return Article(text, title=title, site_name=(document.sitename or "").strip(), url=document.url or url,
                   published=parse_date(document.date))


def _from_pdf(data: bytes) -> Article:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
        meta = reader.metadata
    except (PdfReadError, ValueError, KeyError) as exc:
        raise InputError(f"the PDF cannot be read ({exc})") from None
    text = "\n".join(p.strip() for p in pages if p.strip())
    if not text:
        raise InputError("the PDF holds no text (a scanned image needs OCR first)")
    # The file's creation date is when it was printed or saved, not when the article appeared: not used.
    return Article(text, title=(meta.title or "").strip() if meta else "")


def _from_docx(data: bytes) -> Article:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, ValueError, KeyError) as exc:
        raise InputError(f"the DOCX cannot be read ({exc})") from None
    text = "\n".join(p.text.strip() for p in document.paragraphs if p.text.strip())
    if not text:
        raise InputError("the DOCX holds no text")
    props = document.core_properties
    return Article(text, title=(props.title or "").strip(), language=(props.language or "")[:2].lower())
