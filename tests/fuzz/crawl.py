"""Where the POST routes are and what their forms are called: every rule of the URL map
filled from the world's ids, and the field names of the forms pages post to them."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import Rule

COMBINATIONS = 4  # at most this many fillings of one rule's parameters


@dataclass
class FormSeen:
    action: str  # path and query, as the browser would post it
    names: set[str] = field(default_factory=set)
    file_names: set[str] = field(default_factory=set)


class FormParser(HTMLParser):
    """The POST forms of a page (their action resolved against the page's address), the
    names of their fields (and of fields tied to them with form=…), and the links."""

    def __init__(self, page_url: str) -> None:
        super().__init__()
        self.page_url = page_url
        self.forms: dict[str, FormSeen] = {}
        self.by_id: dict[str, FormSeen] = {}
        self.current: FormSeen | None = None
        self.links: list[str] = []

    def _resolve(self, action: str) -> str:
        parts = urlsplit(urljoin("http://localhost" + self.page_url, action))
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "form":
            if values.get("method", "get").lower() != "post":
                self.current = None
                return
            action = self._resolve(values.get("action", "") or self.page_url)
            self.current = self.forms.setdefault(action, FormSeen(action))
            if values.get("id"):
                self.by_id[values["id"]] = self.current
        elif tag in ("input", "select", "textarea", "button") and values.get("name"):
            owner = self.by_id.get(values.get("form", "")) or self.current
            if owner is None:
                return
            if tag == "input" and values.get("type") == "file":
                owner.file_names.add(values["name"])
            else:
                owner.names.add(values["name"])
        elif tag == "a" and values.get("href"):
            self.links.append(self._resolve(values["href"]))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.current = None


def fillings(rule: Rule, parameters: dict[str, list[Any]]) -> list[dict[str, Any]] | None:
    """The parameter values a rule is tried with; None when a parameter name is unknown."""
    names = sorted(rule.arguments)
    if any(name not in parameters for name in names):
        return None
    combos = itertools.product(*(parameters[name] for name in names))
    return [dict(zip(names, combo, strict=True)) for combo in itertools.islice(combos, 24)]


@dataclass
class Target:
    endpoint: str
    url: str
    names: list[str]
    file_names: list[str]


@dataclass
class RouteMap:
    targets: list[Target]
    unfilled: dict[str, list[str]]  # endpoint -> parameter names the world cannot fill
    routes: int
    server_errors: list[str]  # GETs of the crawl that answered 5xx


def post_rules(app: Flask) -> list[Rule]:
    return [
        rule
        for rule in app.url_map.iter_rules()
        if "POST" in (rule.methods or set()) and rule.endpoint != "static"
    ]


def crawl(app: Flask, clients: list[FlaskClient], parameters: dict[str, list[Any]]) -> RouteMap:
    """GET every page the world can fill (and same-page links with a query, such as the
    designer's ?element=…) as each of `clients`, and gather the forms posting to each
    POST rule's filled addresses."""
    adapter = app.url_map.bind("localhost")
    forms: dict[str, FormSeen] = {}
    errors: list[str] = []
    get_urls: list[str] = []
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or set()) or rule.endpoint == "static":
            continue
        for values in fillings(rule, parameters) or []:
            get_urls.append(adapter.build(rule.endpoint, values))
    for client in clients:
        seen: set[str] = set()
        queue = list(dict.fromkeys(get_urls))
        while queue:
            url = queue.pop(0)
            if url in seen or len(seen) > 400:
                continue
            seen.add(url)
            reply = client.get(url)
            if reply.status_code >= 500:
                errors.append(f"GET {url}: {reply.status_code}")
            if reply.status_code != 200 or "html" not in (reply.content_type or ""):
                reply.close()
                continue
            parser = FormParser(url)
            parser.feed(reply.get_data(as_text=True))
            reply.close()
            for action, form in parser.forms.items():
                known = forms.setdefault(action, FormSeen(action))
                known.names |= form.names
                known.file_names |= form.file_names
            path = urlsplit(url).path
            queue.extend(
                link
                for link in parser.links[:200]
                if "?" in link and urlsplit(link).path == path and link not in seen
            )
    targets: list[Target] = []
    unfilled: dict[str, list[str]] = {}
    rules = post_rules(app)
    for rule in rules:
        filled = fillings(rule, parameters)
        if filled is None:
            unfilled[rule.endpoint] = sorted(set(rule.arguments) - set(parameters))
            continue
        paths = [adapter.build(rule.endpoint, values) for values in filled]
        # Prefer fillings some page posts a form to (they exist and are in someone's reach).
        paths.sort(key=lambda path: not any(urlsplit(a).path == path for a in forms))
        for path in paths[:COMBINATIONS]:
            actions = [a for a in forms if urlsplit(a).path == path]
            by_action: dict[str, FormSeen] = {}
            for action in actions:
                by_action[action] = forms[action]
            if not actions:
                by_action[path] = FormSeen(path)
            for action, form in sorted(by_action.items())[:6]:
                targets.append(
                    Target(rule.endpoint, action, sorted(form.names), sorted(form.file_names))
                )
    return RouteMap(targets, unfilled, len(rules), errors)
