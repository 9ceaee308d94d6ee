"""A person at a browser, over real HTTP, with nginx in front played by the same object.

It keeps cookies, reads each page's forms and sends them back as a browser does: every field with
its value as the page set it (the CSRF token among them), changed where the person types or picks,
plus Origin and Referer. Like nginx it sends X-Forwarded-Proto: https and X-Forwarded-For, so the
site under production settings takes the request for the HTTPS one it would be behind TLS.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import requests
from bs4 import BeautifulSoup, Tag

Value = str | list[str]
Upload = tuple[str, bytes, str]  # file name, content, content type


@dataclass
class Form:
    """One form of the page: where it goes and the fields as a browser would send them."""

    action: str
    method: str
    element: Tag
    fields: list[tuple[str, str]] = field(default_factory=list)

    def values(self, name: str) -> list[str]:
        return [value for key, value in self.fields if key == name]

    def choice(self, name: str, label: str) -> str:
        """The value of the option or checkbox of `name` whose visible label contains `label`."""
        for option in self.element.select(f'select[name="{name}"] option'):
            if label in option.get_text():
                return str(option.get("value", option.get_text()))
        for box in self.element.select(f'input[name="{name}"]'):
            text = box.parent.get_text() if box.parent else ""
            labelled = self.element.select_one(f'label[for="{box.get("id")}"]') if box.get("id") else None
            if label in text or (labelled and label in labelled.get_text()):
                return str(box.get("value", "on"))
        raise AssertionError(f"no choice “{label}” for {name} in the form to {self.action}")


class Browser:
    """One person's browser: its cookies, the page it shows last, and that page's forms."""

    def __init__(self, base: str, *, client_address: str = "203.0.113.7"):
        self.base = base.rstrip("/")
        self.origin = "https://" + urlsplit(self.base).netloc
        self.session = requests.Session()
        self.session.headers.update(
            {
                "X-Forwarded-Proto": "https",
                "X-Forwarded-For": client_address,
                "Accept-Language": "zh-CN,zh;q=0.9",
                "User-Agent": "rectify-deploy-smoke-test",
            }
        )
        self.url = self.base + "/"
        self.page = BeautifulSoup("", "html.parser")

    # ------------------------------------------------------------------ reading

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        url = urljoin(self.url, path)
        if url.startswith(self.origin):  # a link the site wrote with its public (https) address
            url = self.base + url.removeprefix(self.origin)
        response = self.session.request(method, url, allow_redirects=False, timeout=60, **kwargs)
        for cookie in self.session.cookies:
            # Between the browser and nginx the connection is HTTPS: Secure cookies go back too.
            cookie.secure = False
        return response

    def get(self, path: str, *, status: int = 200) -> BeautifulSoup:
        """Open a page, following redirects; its forms become the ones to fill."""
        response = self.request("GET", path)
        while response.is_redirect:
            response = self.request("GET", response.headers["Location"])
        self._read(response, status)
        return self.page

    def text(self) -> str:
        return " ".join(self.page.get_text(" ").split())

    def messages(self) -> str:
        found = self.page.select(".messages, .alert, .errorlist, .field-error, .errornote")
        return " | ".join(" ".join(item.get_text(" ").split()) for item in found)

    def _read(self, response: requests.Response, status: int) -> None:
        self.url = response.url
        self.page = BeautifulSoup(response.text, "html.parser")
        assert response.status_code == status, (
            f"{response.request.method} {response.url}: {response.status_code}, not {status}: "
            f"{self.messages() or self.text()[:600]}"
        )

    # ------------------------------------------------------------------ forms

    def forms(self) -> list[Form]:
        found = []
        for element in self.page.find_all("form"):
            method = str(element.get("method", "get")).lower()
            found.append(Form(urljoin(self.url, str(element.get("action") or self.url)), method, element))
            found[-1].fields = _fields(element)
        return found

    def form(self, action: str | None = None, **having: str) -> Form:
        """The page's one form posting to a URL matching the pattern `action`, with these field values
        (the header's logout button aside)."""
        candidates = [
            form
            for form in self.forms()
            if form.method == "post"
            and not urlsplit(form.action).path.endswith("/logout/")
            and (action is None or re.search(action, urlsplit(form.action).path))
            and all(value in form.values(name) for name, value in having.items())
        ]
        assert len(candidates) == 1, (
            f"{len(candidates)} forms to {action} with {having} on {self.url}: "
            f"{[(f.action, f.fields[:6]) for f in self.forms()]}"
        )
        return candidates[0]

    def submit(
        self,
        form: Form,
        data: dict[str, Value] | None = None,
        *,
        files: dict[str, Upload | list[Upload]] | None = None,
        button: str | None = None,
        status: int = 302,
    ) -> requests.Response:
        """Send the form with `data` typed over its fields; a redirect (success) is followed."""
        data = data or {}
        sent = [(name, value) for name, value in form.fields if name not in data]
        for name, value in data.items():
            sent.extend((name, item) for item in ([value] if isinstance(value, str) else value))
        if button:
            sent.append((button, ""))
        uploads = [
            (name, item)
            for name, given in (files or {}).items()
            for item in (given if isinstance(given, list) else [given])
        ]
        response = self.request(
            "POST",
            form.action,
            data=sent,
            files=uploads or None,
            headers={"Origin": self.origin, "Referer": self.origin + urlsplit(self.url).path},
        )
        if response.status_code != status:
            self._read(response, status)  # fails, saying what the page said
        if response.is_redirect:
            self.get(response.headers["Location"])
        else:
            self._read(response, status)
        return response

    def log_in(self, username: str, password: str) -> None:
        self.session.cookies.clear()
        self.get("/login/")
        self.submit(self.form(), {"username": username, "password": password})
        assert urlsplit(self.url).path != "/login/", self.messages()


def _fields(form: Tag) -> list[tuple[str, str]]:
    """What a browser sends from the form untouched: no buttons, files, unchecked boxes or disabled fields."""
    fields: list[tuple[str, str]] = []
    for element in form.find_all(["input", "select", "textarea"]):
        name = element.get("name")
        if not name or element.has_attr("disabled"):
            continue
        if element.name == "input":
            kind = str(element.get("type", "text")).lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                continue
            if kind in ("checkbox", "radio") and not element.has_attr("checked"):
                continue
            fields.append((name, str(element.get("value", "on" if kind in ("checkbox", "radio") else ""))))
        elif element.name == "select":
            options = element.find_all("option")
            chosen = [option for option in options if option.has_attr("selected")]
            if not chosen and options and not element.has_attr("multiple"):
                chosen = options[:1]
            fields.extend((name, str(option.get("value", option.get_text()))) for option in chosen)
        else:
            fields.append((name, element.get_text()))
    return fields
