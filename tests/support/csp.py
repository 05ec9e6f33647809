"""Browser pages under the server's Content-Security-Policy, driven by Playwright."""

from __future__ import annotations

import re

FUNCTION = re.compile(r"\s*(async\s+)?((\([^)]*\)|[\w$]+)\s*=>|function\b)")


def under_csp(page):
    """The pages run under a Content-Security-Policy without 'unsafe-eval' (it holds in these tests
    too): Playwright evaluates a bare expression given to wait_for_function with eval, a function
    without it, so each expression is handed over as an arrow function."""
    wait = page.wait_for_function

    def wait_for_function(expression: str, *args, **kwargs):
        if not FUNCTION.match(expression):
            expression = f"() => ({expression})"
        return wait(expression, *args, **kwargs)

    page.wait_for_function = wait_for_function
    return page
