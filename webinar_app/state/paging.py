"""Previous/next paging shared by the admin lists (users, audit log, email log).

A Reflex mixin: each list state keeps its own `page` and implements `_fetch`, which reloads
the rows (and re-checks the user) for the current page.
"""

from __future__ import annotations

from typing import Any

import reflex as rx


class PagedMixin(rx.State, mixin=True):
    page: int = 1

    async def _fetch(self) -> Any:
        raise NotImplementedError

    @rx.event
    async def next_page(self) -> Any:
        self.page += 1
        return await self._fetch()

    @rx.event
    async def prev_page(self) -> Any:
        self.page = max(1, self.page - 1)
        return await self._fetch()
