"""Builds the Reflex app: theme, pages, the REST API and lifespan tasks. Nothing else."""

import gc
from typing import Any

import anyio.to_thread
import reflex as rx

import webinar_app.pages  # noqa: F401  (registers every @rx.page)
from webinar_app.api.main import fastapi_app
from webinar_app.core import memtrace
from webinar_app.core.config import get_settings
from webinar_app.core.db import dispose_after_fork
from webinar_app.realtime.event_socket import EventSocketShortcut
from webinar_app.realtime.lifecycle import realtime_lifespan
from webinar_app.services.reminders import scheduler_loop


async def _size_thread_pool() -> None:
    anyio.to_thread.current_default_thread_limiter().total_tokens = get_settings().threads_per_worker


async def _fresh_db_pool() -> None:
    # The server forks workers after the parent may have opened connections: drop them.
    dispose_after_fork()


class WebinarApp(rx.App):
    """Reflex's app with the event websocket routed past the HTTP stack (`realtime/event_socket`)."""

    def __call__(self) -> Any:
        return EventSocketShortcut(super().__call__(), self)


# The theme lives in rxconfig.py (RadixThemesPlugin), as Reflex 0.10 wants it.
# Sonner's "rich colours" put green/red text on pale green/red at under 4.5:1 (axe
# color-contrast); the plain toasts keep their coloured icon and read as well in both themes.
app = WebinarApp(api_transformer=fastapi_app, toaster=rx.toast.provider(rich_colors=False))
app.register_lifespan_task(_fresh_db_pool)
app.register_lifespan_task(_size_thread_pool)
app.register_lifespan_task(realtime_lifespan)
# One mail/reminder loop per worker; claims in the database keep every mail single.
app.register_lifespan_task(scheduler_loop)
# Diagnosis only (docs/performance.md, chat fan-out memory): tracemalloc snapshots on demand.
if memtrace.enabled():
    app.register_lifespan_task(memtrace.tracemalloc_lifespan)

# The app leaves ~200,000 long-lived objects (components, vars, modules). Frozen here, in the
# process that imports the app before the server forks its workers, a garbage collection never
# walks them again: no full collection stalls requests for ~100 ms, and no collection writes
# to the pages the workers share with this process (copy-on-write would give every worker
# its own copy of the whole heap: ~100 MiB of RSS each).
gc.freeze()
