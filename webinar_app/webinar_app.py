"""Builds the Reflex app: theme, pages, the REST API and lifespan tasks. Nothing else."""

import reflex as rx

from webinar_app.api.main import fastapi_app
from webinar_app.core.db import dispose_after_fork


async def _fresh_db_pool() -> None:
    # Granian forks workers after the parent may have opened connections: drop them.
    dispose_after_fork()


app = rx.App(
    api_transformer=fastapi_app,
    theme=rx.theme(appearance="inherit", accent_color="indigo", radius="medium"),
)
app.register_lifespan_task(_fresh_db_pool)


@rx.page(route="/", title="Webinars")
def index() -> rx.Component:
    return rx.center(rx.heading("Webinars"), height="100vh")
