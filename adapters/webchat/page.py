"""The `/chat` page and its widget script, rendered in the resident's language.

Sends its own Content-Security-Policy (framable by the city's site, no inline code) and is
never cached; it reads nothing about the resident but the language asked for.
"""

from __future__ import annotations

import json
from pathlib import Path

import jinja2
from aiohttp import web

from adapters.base import Languages
from privacy.attachments import Limits

from .page_texts import TextCatalog, page_text, page_texts

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
TEMPLATES = HERE / "templates"
# The page stops a recording a little before the service's voice limit: a recorder's last
# second of data can run past the clock the page shows.
MAX_RECORDING_SECONDS = int(Limits().max_voice_seconds) - 2


class ChatPage:
    """The page's two handlers (`page`, `widget`) with what they render from."""

    def __init__(
        self,
        *,
        texts: TextCatalog,
        languages: Languages,
        max_message_chars: int,
        frame_ancestors: str,
        leave_url: str,
    ) -> None:
        self._texts = texts
        self._languages = languages
        self._max_message_chars = max_message_chars
        self._frame_ancestors = frame_ancestors
        self._leave_url = leave_url
        self._templates = jinja2.Environment(
            loader=jinja2.FileSystemLoader(TEMPLATES),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
        )

    def headers(self) -> dict[str, str]:
        return {
            # Own CSP so the page may be framed by the city's site; no inline code allowed.
            "Content-Security-Policy": (
                "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                f"connect-src 'self'; frame-ancestors {self._frame_ancestors}; base-uri 'none'; "
                "form-action 'self'"
            ),
            # The service's default refuses the microphone everywhere; this page may record a
            # voice message (only when the resident presses "Record" and the browser asks).
            "Permissions-Policy": (
                "camera=(), microphone=(self), geolocation=(), interest-cohort=()"
            ),
            # Browsers that honour frame-ancestors ignore this; older ones get same-origin.
            "X-Frame-Options": "SAMEORIGIN",
            "Cache-Control": "no-store",
        }

    async def page(self, request: web.Request) -> web.Response:
        lang = request.query.get("lang")
        chosen = lang if lang in self._languages.codes else None
        template = self._templates.get_template("chat.html")
        page_lang = chosen or self._languages.default
        body = template.render(
            lang=chosen,
            page_lang=page_lang,
            direction="rtl" if page_lang in self._languages.right_to_left else "ltr",
            t=page_texts(self._texts, page_lang),
            texts_json=json.dumps(page_texts(self._texts, page_lang), ensure_ascii=False),
            leave_labels=[
                (code, page_text(self._texts, code, "webchat_leave"))
                for code in (self._languages.default, "en")
            ],
            languages=[
                (
                    code,
                    self._texts.language_name(code),
                    "rtl" if code in self._languages.right_to_left else "ltr",
                    self._texts.text(code, "choose_language"),
                )
                for code in self._languages.codes
            ],
            leave_url=self._leave_url,
            max_chars=self._max_message_chars,
            max_recording_seconds=MAX_RECORDING_SECONDS,
        )
        return web.Response(
            text=body, content_type="text/html", charset="utf-8", headers=self.headers()
        )

    async def widget(self, request: web.Request) -> web.FileResponse:
        return web.FileResponse(
            STATIC / "widget.js",
            headers={"Content-Type": "text/javascript; charset=utf-8", "Cache-Control": "no-cache"},
        )
