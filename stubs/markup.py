"""The screen contract's attributes, and screens without them (for proving locator tables).

The kit finds screens, outcomes and controls by `data-screen`, `data-outcome`, `data-reason`
and `data-testid` (stubs/README.md). A vendor's app may have none of them; a stub configured
with `contract_markup = false` serves its screens the same way, so the kit's own tests can show
that a target's locator table alone is enough.
"""

from __future__ import annotations

import re

from starlette.responses import HTMLResponse

# As the stubs' templates write them: one space, the name, a double-quoted value.
CONTRACT_ATTRIBUTE = re.compile(rb'\s+data-(?:testid|screen|outcome|reason)="[^"]*"')


def without_contract(response: HTMLResponse) -> HTMLResponse:
    """The same screen (status, headers, markup) with every contract attribute removed."""
    body = CONTRACT_ATTRIBUTE.sub(b"", response.body)
    headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
    return HTMLResponse(body, status_code=response.status_code, headers=headers)
