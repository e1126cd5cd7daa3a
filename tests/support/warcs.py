"""Web archives the WARC tests write: pages, responses and a small crawled site."""

from __future__ import annotations

import io

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

HARBOUR = (
    "The harbour authority said on Saturday that dredging of the main channel will begin next month "
    "and last until the autumn, at a cost of four million."
)
FERRY = "Ferry crews walked out on Friday over pay, stranding hundreds of travellers at the port for most of the day."
CRAWLED = "2024-03-10T12:00:00Z"
HARBOUR_URL = "https://www.example-times.co.uk/2024/03/02/harbour"
FERRY_URL = "https://www.example-times.co.uk/ferry"


def page(title: str, body: str, head: str = "") -> bytes:
    return (
        f"<html><head><title>{title}</title>{head}</head>"
        f"<body><nav>Home | World</nav><article><h1>{title}</h1><p>{body}</p></article></body></html>"
    ).encode()


HARBOUR_PAGE = page(
    "Dredging to begin",
    HARBOUR,
    '<meta property="og:site_name" content="Example Times">'
    '<meta property="article:published_time" content="2024-03-02T08:00:00+01:00">',
)
FERRY_PAGE = page("Ferry strike", FERRY)


def response(writer: WARCWriter, uri: str, payload: bytes, content_type: str, status: str = "200 OK"):
    http = StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1")
    return writer.create_warc_record(
        uri, "response", payload=io.BytesIO(payload), http_headers=http, warc_headers_dict={"WARC-Date": CRAWLED}
    )


def archive(pages: list[tuple[str, bytes, str]], *, compressed: bool = False) -> bytes:
    """A WARC of a warcinfo record, then a request and a response for each page."""
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=compressed)
    writer.write_record(writer.create_warcinfo_record("test.warc", {"software": "qa tests"}))
    for uri, payload, content_type in pages:
        request = StatusAndHeaders("GET / HTTP/1.1", [("Host", "www.example-times.co.uk")], is_http_request=True)
        writer.write_record(writer.create_warc_record(uri, "request", http_headers=request))
        writer.write_record(response(writer, uri, payload, content_type))
    return buffer.getvalue()


SITE = [
    (HARBOUR_URL, HARBOUR_PAGE, "text/html; charset=utf-8"),
    ("https://www.example-times.co.uk/logo.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "image/png"),
    (FERRY_URL, FERRY_PAGE, "text/html"),
]
