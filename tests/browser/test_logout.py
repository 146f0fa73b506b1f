"""Logging out clears the copies of unsaved answers this browser kept (issue 19)."""

from __future__ import annotations

from typing import Any

from tests.browser.test_login_menus import log_in

KEPT = {
    "collector:r7:section-0": '{"revision": "1", "values": {"pupils": "640"}}',
    "designer:3:json": '{"revision": "2", "values": {}}',
}


def keep_answers(page: Any) -> None:
    page.evaluate(
        """kept => { for (const [k, v] of Object.entries(kept)) localStorage.setItem(k, v);
                     localStorage.setItem("unrelated", "stays"); }""",
        KEPT,
    )


def stored_keys(page: Any) -> list[str]:
    return sorted(page.evaluate("() => Object.keys(localStorage)"))


def without_clear_site_data(route: Any) -> None:
    answer = route.fetch(max_redirects=0)
    headers = {k: v for k, v in answer.headers.items() if k.lower() != "clear-site-data"}
    route.fulfill(response=answer, headers=headers)


def test_the_logout_form_clears_the_kept_answers(page, server, people):
    # The header is taken off here, so what is cleared is logout.js's work alone: the
    # copies go, a key of something else stays.
    log_in(page, server.url, "school")
    keep_answers(page)
    page.route("**/logout", without_clear_site_data)
    page.get_by_role("button", name="Выйти").click()
    page.wait_for_url(server.url + "/login")
    assert stored_keys(page) == ["unrelated"]


def test_logout_also_asks_the_browser_to_clear_the_sites_storage(page, server, people):
    log_in(page, server.url, "school")
    keep_answers(page)
    page.get_by_role("button", name="Выйти").click()
    page.wait_for_url(server.url + "/login")
    assert not set(KEPT) & set(stored_keys(page))
    assert page.goto(server.url + "/").url.startswith(server.url + "/login")
