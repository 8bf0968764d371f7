"""The Content Security Policy blocks inline script, and no page of ours needs any."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_pages_run_under_the_policy_without_violations(login, curator):
    page = login("alice")
    violations = []
    page.on(
        "console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None
    )
    nav = page.get_by_role("navigation", name="Main").get_by_role("link")
    paths = [href for href in nav.evaluate_all("links => links.map(a => a.getAttribute('href'))")]
    assert len(paths) >= 7, paths
    for path in paths:
        response = page.goto(path)

        assert response.status == 200, path
        assert "script-src 'self'" in response.headers["content-security-policy"]
    page.goto("/api/docs/")
    expect(page.locator(".swagger-ui").first).to_be_visible()
    expect(page.get_by_text("Equitext API").first).to_be_visible()
    assert violations == []


def test_an_injected_inline_script_is_refused(login, curator):
    page = login("alice")
    page.goto("/dashboard/")
    page.evaluate(
        """() => { const s = document.createElement('script'); s.textContent = 'window.pwned = 1';
                   document.body.appendChild(s); }"""
    )
    assert page.evaluate("() => window.pwned") is None
