"""A crawler that walks every page a signed-in user can reach by following links,
and says what a user would notice on each: a server error, a link that leads to
a refusal, a date field the browser shows empty, text that is an internal
identifier rather than Chinese, a page wider than the phone, and what axe-core
(vendored, run in the page) calls a serious or critical accessibility issue.

Used by tests/e2e/test_crawl.py over the demo district; it can also be run by
hand against a running server to see every finding at once::

    python -m tests.e2e.crawl http://127.0.0.1:8000 admin gongzhi-demo
"""
from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

# a page title is a line for the tab and the history, never a form (one slipped in once)
TITLE_MAX = 100

AXE_SOURCE = (Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js").read_text()

# Links the crawler does not follow: they sign out, download files, or change state.
SKIP = re.compile(
    r"(/logout/|/export|\.xlsx|\.pdf|/pdf/|/download|/files/|/media/|/photos?/\d+|/attachments?/|"
    r"/static/|/reveal|/api/|/open311/|/admin/)"
)
# Text that may be ASCII on a Chinese page: numbers, codes, units, names of
# standards and formats a user knows by these letters.
ALLOWED_WORDS = {
    "Open311", "GeoReport", "API", "OpenAPI", "Excel", "PDF", "xlsx", "csv", "CSV", "ID", "GB", "GB/T", "JSON",
    "HTTP", "HTTPS", "TOTP", "QR", "App", "APP", "PC", "km", "m", "m²", "kg", "h", "min", "s", "ms", "MB", "KB",
    "GB", "No", "NO", "Top", "TOP", "OK", "Wi-Fi", "WiFi", "SMS", "CPU", "IP", "URL", "A4", "ECharts", "i",
    "AM", "PM", "GD", "BMI", "vs", "VS", "CN", "OpenStreetMap", "Leaflet", "Swagger",
    # authenticator apps people install by these names
    "Google", "Microsoft", "Authenticator", "FreeOTP",
}
# An ASCII token: a letter, then letters, digits and the joiners of identifiers.
ASCII_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9_\-./:]*[A-Za-z0-9]|[A-Za-z]")
# Codes that are data, not identifiers: work-order (GD) and home-care service (FW) numbers, place and
# household codes, dates. P-XXX-N are the policy catalogue's rule numbers, cited beside the rule's text.
DATA_CODE = re.compile(r"^((GD|FW)\d+|[A-Z]\d+|\d[\d\-]*|P-[A-Z]+-\d+)$")


@dataclass
class Finding:
    username: str
    url: str
    kind: str  # error | refused-link | date-lost | identifier | overflow | axe
    detail: str

    def __str__(self):
        return f"[{self.username}] {self.kind} {self.url}: {self.detail}"


@dataclass
class CrawlResult:
    visited: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


def url_pattern(path_and_query: str) -> str:
    """Pages of one kind share a pattern: numbers become N, query values are dropped
    except the ones that choose a different page (tab, view, kind)."""
    parts = urlsplit(path_and_query)
    path = re.sub(r"\d+", "N", parts.path)
    keys = sorted({k for k, _v in parse_qsl(parts.query, keep_blank_values=True)} - {"page", "q", "sort", "dir"})
    return path + ("?" + "&".join(keys) if keys else "")


def identifiers_in(text: str) -> list[str]:
    found = []
    for token in ASCII_TOKEN.findall(text):
        token = token.rstrip(".:/")
        if not token or token in ALLOWED_WORDS or DATA_CODE.match(token):
            continue
        found.append(token)
    return found


# The visible text of a page without what is marked as code on purpose
# (<code>, <kbd>, <samp>, [translate=no]) and without form values.
VISIBLE_TEXT_JS = """() => {
  // a textarea holds what someone typed (or structured data they edit), not the page's words
  const skip = el => el.closest('code, kbd, samp, [translate="no"], script, style, noscript, template, svg, textarea');
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const parts = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || skip(el)) continue;
    const style = getComputedStyle(el);
    if (style.display === 'none' || style.visibility === 'hidden') continue;
    if (!el.getClientRects().length) continue;
    parts.push(n.textContent);
  }
  for (const el of document.querySelectorAll('[title], [placeholder], [aria-label], img[alt]')) {
    if (skip(el)) continue;
    for (const a of ['title', 'placeholder', 'aria-label', 'alt']) {
      if (el.getAttribute(a)) parts.push(el.getAttribute(a));
    }
  }
  return parts.join(' ');
}"""

OVERFLOW_JS = """() => {
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth <= width + 1) return null;
  const wide = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.right > width + 1 && getComputedStyle(el).position !== 'fixed') {
      // report the outermost element that sticks out
      if (!wide.some(w => w.contains(el))) wide.push(el);
    }
  }
  return wide.slice(0, 3).map(el => el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).split(' ')[0] : '')
    + ' ' + Math.round(el.getBoundingClientRect().right) + 'px').join(', ');
}"""

# A date field whose value the browser rejected shows empty and would be saved empty.
LOST_DATES_JS = """() => Array.from(document.querySelectorAll(
    'input[type=date], input[type=datetime-local], input[type=time], input[type=month]'))
  .filter(el => el.getAttribute('value') && !el.value)
  .map(el => el.name + '=' + el.getAttribute('value'))"""

AXE_RUN_JS = """async () => {
  const r = await axe.run(document, {resultTypes: ['violations'],
                                     runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}});
  return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => v.id + ' (' + v.impact + ') ×' + v.nodes.length + ': ' + v.nodes.slice(0, 2).map(n => n.target.join(' ')).join(' | '));
}"""


def links_on(page) -> list[str]:
    return page.eval_on_selector_all(
        "a[href]", "els => els.map(a => a.getAttribute('href'))"
    )


def crawl(page, base_url: str, username: str, *, start: str = "/", per_pattern: int = 1, limit: int = 200,
          axe: bool = True, identifiers: bool = True, axe_done: set | None = None) -> CrawlResult:
    """Follow every same-origin link from `start` as the signed-in user of `page`.
    `axe_done`, shared between the crawls of several users, runs axe once per page pattern
    (the markup of a page is the same for every role; its words, dates and width are checked
    for each)."""
    result = CrawlResult()
    seen_patterns: dict[str, int] = {}
    seen_urls: set[str] = set()
    queue = [start]
    origin = urlsplit(base_url)
    while queue and len(result.visited) < limit:
        url = queue.pop(0)
        if url in seen_urls:
            continue
        seen_urls.add(url)
        pattern = url_pattern(url)
        if seen_patterns.get(pattern, 0) >= per_pattern:
            continue
        seen_patterns[pattern] = seen_patterns.get(pattern, 0) + 1
        try:
            response = page.goto(base_url + url, wait_until="load")
        except Exception as exc:  # a download or an aborted navigation is not a page
            if "Download is starting" in str(exc):
                continue
            result.findings.append(Finding(username, url, "error", str(exc).splitlines()[0]))
            continue
        result.visited.append(url)
        status = response.status if response else 0
        if status >= 500:
            result.findings.append(Finding(username, url, "error", f"HTTP {status}"))
            continue
        if status in (403, 404):
            result.findings.append(Finding(username, url, "refused-link", f"HTTP {status}"))
            continue
        final = urlsplit(page.url)
        if final.netloc != origin.netloc or "/accounts/login/" in final.path:
            continue
        for lost in page.evaluate(LOST_DATES_JS):
            result.findings.append(Finding(username, url, "date-lost", lost))
        title = page.title()
        if "<" in title or "{%" in title or len(title) > TITLE_MAX:  # markup that slipped into {% block title %}
            result.findings.append(Finding(username, url, "title", title[:80]))
        overflow = page.evaluate(OVERFLOW_JS)
        if overflow:
            result.findings.append(Finding(username, url, "overflow", overflow))
        if identifiers:
            words = identifiers_in(page.evaluate(VISIBLE_TEXT_JS))
            if words:
                result.findings.append(Finding(username, url, "identifier", ", ".join(sorted(set(words))[:12])))
        if axe and (axe_done is None or pattern not in axe_done):
            if axe_done is not None:
                axe_done.add(pattern)
            page.evaluate(AXE_SOURCE)
            for violation in page.evaluate(AXE_RUN_JS):
                result.findings.append(Finding(username, url, "axe", violation))
        for href in links_on(page):
            target = urlsplit(page.url)
            parts = urlsplit(href)
            if parts.scheme and parts.scheme not in ("http", "https"):
                continue
            if parts.netloc and parts.netloc != origin.netloc:
                continue
            path = parts.path or target.path
            if not path.startswith("/"):
                path = target.path.rsplit("/", 1)[0] + "/" + path
            nxt = path + ("?" + urlencode(parse_qsl(parts.query, keep_blank_values=True)) if parts.query else "")
            if SKIP.search(nxt) or nxt in seen_urls:
                continue
            queue.append(nxt)
    return result


def login(page, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


if __name__ == "__main__":  # python -m tests.e2e.crawl BASE_URL USERNAME PASSWORD
    from playwright.sync_api import sync_playwright

    base, user, password = sys.argv[1:4]
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                     args=["--no-sandbox", "--disable-gpu"])
        context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, bypass_csp=True)
        page = context.new_page()
        if user != "-":
            login(page, base, user, password)
        res = crawl(page, base, user, limit=int(sys.argv[4]) if len(sys.argv) > 4 else 200)
        print(f"{len(res.visited)} pages")
        for f in res.findings:
            print(f)
