"""Signing in once per device, for `academy serve` (on JupyterHub the hub user is the learner).

- `/sign-in/`: a plain form (no widgets, so fast typing and badge scanners keep every
  character): type your staff ID (any case), or pick your name from the cohort's roster.
  The learner is kept in a signed cookie for a year, then sent to the page they wanted.
- `/sign-out/`: forget the learner on this device ("Not you?").
- `/api/academy/me`: who is signed in, as JSON, for the portal's header.

Every lesson asks for the cookie (`learner_of`) and gives the learner to its kernel.
"""

from __future__ import annotations

import json
from html import escape
from typing import Any

import tornado.web

from academy.core.brand import plain_page
from academy.serve.identity import Identity, NotRecognised, RosterEntry, identify, pick, safe_next

COOKIE = "academy_learner"
COOKIE_DAYS = 365
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "SAMEORIGIN",
    "Cache-Control": "no-store",
}

#: The sign-in and progress pages' own layout, over the academy's look (academy.core.brand).
PAGE_STYLE = """
label{display:block;font-weight:600;margin:.6rem 0 .3rem}
input[type=text]{width:100%;min-height:48px;font-size:20px;padding:.4rem .6rem;border:2px solid #5b6573;border-radius:6px}
button,.academy-button{display:inline-block;min-height:48px;padding:.55rem 1.1rem;margin:.5rem .5rem .3rem 0;font-size:18px;border-radius:6px;border:2px solid var(--academy-primary);background:var(--academy-primary);color:#fff;font-weight:600;cursor:pointer;text-decoration:none}
button.academy-name{background:#fff;color:var(--academy-primary);width:100%;text-align:left}
button:focus-visible,input:focus-visible{outline:3px solid var(--academy-primary-dark);outline-offset:2px}
.academy-error{border-left:6px solid #a1281d;background:#fbeceb;padding:.5rem .8rem;color:#5c150f}
.academy-names{list-style:none;padding:0;margin:0}
h2{font-size:24px;line-height:1.3;margin:1.4rem 0 .5rem}
h3{font-size:20px;line-height:1.3;margin:1.1rem 0 .4rem}
.academy-lessons{list-style:none;padding:0;margin:0}
.academy-lessons li{padding:.55rem 0;border-bottom:1px solid #d9dee6}
.academy-lesson-link{font-weight:600}
.academy-state{display:inline-block;margin-top:.15rem;font-size:16px;color:#3b4350}
.academy-done{color:#12401f}
.academy-started{color:#5c3d00}
.academy-certificate{border-left:6px solid var(--academy-primary);background:var(--academy-primary-light);padding:.3rem 1rem .6rem;margin:.6rem 0 1rem}
.academy-certificate h3{margin-top:.5rem}
"""


def page(title: str, body: str) -> str:
    """A page of the lesson server in the academy's look (bar, card, type)."""
    return plain_page(title, body, home="/", css=PAGE_STYLE)


def learner_of(handler: tornado.web.RequestHandler) -> Identity | None:
    """The learner signed in on this device, from the signed cookie (None if nobody)."""
    raw = handler.get_signed_cookie(COOKIE, max_age_days=COOKIE_DAYS)
    return Identity.from_json(raw)


def sign_in_url(next_path: str) -> str:
    from urllib.parse import urlencode

    return "/sign-in/?" + urlencode({"next": next_path})


class AcademyPage(tornado.web.RequestHandler):
    """Safe headers and plain error pages."""

    def set_default_headers(self) -> None:
        for name, value in HEADERS.items():
            self.set_header(name, value)

    @property
    def roster(self) -> tuple[RosterEntry, ...]:
        return tuple(self.settings.get("academy_roster", ()))

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        self.finish(page("Something went wrong", "<h1>Sorry, something went wrong</h1>"))


class SignInHandler(AcademyPage):
    """The sign-in form."""

    def get(self) -> None:
        self.finish(self._form(self.get_argument("next", "/"), "", ""))

    def post(self) -> None:
        target = safe_next(self.get_argument("next", "/"))
        typed = self.get_body_argument("learner", "")
        picked = self.get_body_argument("roster_id", "")
        try:
            who = pick(picked, self.roster) if picked else identify(typed, self.roster)
        except NotRecognised as problem:
            self.set_status(400)
            self.finish(self._form(target, typed, str(problem)))
            return
        self.set_signed_cookie(
            COOKIE, who.to_json(), expires_days=COOKIE_DAYS, httponly=True, samesite="Lax"
        )
        self.redirect(target)

    def _form(self, target: str, typed: str, problem: str) -> str:
        target = safe_next(target)
        roster = self.roster
        error = (
            f'<p class="academy-error" role="alert" id="problem">{escape(problem)}</p>'
            if problem
            else ""
        )
        what = "Your staff ID" if roster else "Your name or staff ID"
        names = ""
        if roster:
            buttons = "".join(
                f'<li><button class="academy-name" name="roster_id" value="{escape(e.id, quote=True)}">'
                f"{escape(e.name)}</button></li>"
                for e in sorted(roster, key=lambda e: e.name.casefold())
            )
            names = (
                '<h2>Or pick your name</h2><form method="post">'
                f'<input type="hidden" name="next" value="{escape(target, quote=True)}">'
                f'<ul class="academy-names">{buttons}</ul></form>'
            )
        described = ' aria-describedby="problem"' if problem else ""
        body = (
            "<h1>Sign in</h1>"
            "<p>Sign in once on this device. Your lessons then remember you and save your progress.</p>"
            f"{error}"
            '<form method="post">'
            f'<input type="hidden" name="next" value="{escape(target, quote=True)}">'
            f'<label for="learner">{what}</label>'
            f'<input type="text" id="learner" name="learner" value="{escape(typed, quote=True)}" '
            f'autocomplete="username" autocapitalize="none" spellcheck="false" autofocus{described}>'
            '<button type="submit">Sign in</button></form>'
            f"{names}"
        )
        return page("Sign in", body)


class SignOutHandler(AcademyPage):
    """Forget the learner on this device."""

    def get(self) -> None:
        self.clear_cookie(COOKIE)
        self.redirect(sign_in_url(safe_next(self.get_argument("next", "/"))))


class MeHandler(AcademyPage):
    """Who is signed in, for the portal's pages."""

    def get(self) -> None:
        who = learner_of(self)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps({"name": who.name, "learner": who.learner} if who else {}))


def sign_in_handlers() -> list[tuple[str, type[tornado.web.RequestHandler]]]:
    return [
        (r"/sign-in/?", SignInHandler),
        (r"/sign-out/?", SignOutHandler),
        (r"/api/academy/me", MeHandler),
    ]
