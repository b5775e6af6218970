"""The catalog: search, status tabs, category filter, cards, "Load more"."""

from __future__ import annotations

import reflex as rx

from webinar_app import routes
from webinar_app.components.layout import template
from webinar_app.components.webinars import card_grid, empty_state, skeleton_grid
from webinar_app.state.auth import AuthState
from webinar_app.state.catalog import ALL_CATEGORIES, CatalogState
from webinar_app.state.webinar_views import ViewerState


def search_box() -> rx.Component:
    return rx.box(
        rx.el.label("Search webinars", html_for="catalog-search", style={"display": "none"}),
        rx.input(
            rx.input.slot(rx.icon("search", size=16)),
            rx.cond(
                CatalogState.loading,
                rx.input.slot(rx.spinner(size="1")),
            ),
            id="catalog-search",
            placeholder="Search by title, topic or speaker",
            value=CatalogState.search,
            on_change=CatalogState.set_search,
            debounce_timeout=350,
            size="3",
            width="100%",
            type="search",
            aria_label="Search webinars",
        ),
        flex="1",
        min_width="14em",
    )


def category_filter() -> rx.Component:
    return rx.select.root(
        rx.select.trigger(placeholder="All categories", id="catalog-category", aria_label="Category"),
        rx.select.content(
            rx.select.item("All categories", value=ALL_CATEGORIES),
            rx.foreach(CatalogState.categories, lambda c: rx.select.item(c, value=c)),
        ),
        value=CatalogState.category,
        on_change=CatalogState.set_category,
        size="3",
    )


def status_tabs() -> rx.Component:
    return rx.tabs.root(
        rx.tabs.list(
            # The tabs filter one shared result list (no per-tab content panels), so each tab
            # controls it; Radix's default aria-controls would name panels that do not exist.
            rx.tabs.trigger("Upcoming", value="upcoming", id="tab-upcoming", aria_controls="catalog-results"),
            rx.tabs.trigger(
                rx.hstack(rx.icon("radio", size=14), "Live now", spacing="1", align="center"),
                value="live",
                id="tab-live",
                aria_controls="catalog-results",
            ),
            rx.tabs.trigger("Past", value="past", id="tab-past", aria_controls="catalog-results"),
            size="2",
        ),
        value=CatalogState.tab,
        on_change=CatalogState.set_tab,
    )


def results() -> rx.Component:
    return rx.cond(
        CatalogState.loaded,
        rx.cond(
            CatalogState.items.length() > 0,  # type: ignore[attr-defined]
            rx.vstack(
                rx.text(CatalogState.result_label, size="2", color_scheme="gray", id="catalog-count"),
                card_grid(CatalogState.items, "catalog-grid"),
                rx.cond(
                    CatalogState.has_more,
                    rx.center(
                        rx.button(
                            "Load more",
                            on_click=CatalogState.load_more,
                            loading=CatalogState.loading,
                            variant="soft",
                            size="3",
                            id="catalog-more",
                        ),
                        width="100%",
                        padding_top="2",
                    ),
                ),
                spacing="4",
                width="100%",
            ),
            empty_state(
                "calendar_search",
                "No webinars found",
                "Try another search, tab or category.",
                rx.button("Clear filters", variant="soft", on_click=CatalogState.clear_filters),
                box_id="catalog-empty",
            ),
        ),
        skeleton_grid(),
    )


@rx.page(
    route=routes.WEBINARS,
    title="Browse webinars · Webinars",
    on_load=[AuthState.sync_session, CatalogState.load],
)
def catalog_page() -> rx.Component:
    return template(
        rx.vstack(
            rx.vstack(
                rx.heading("Browse webinars", size="8", as_="h1"),
                rx.text(
                    "Times are shown in your time zone (",
                    ViewerState.timezone_label,
                    ").",
                    size="2",
                    color_scheme="gray",
                ),
                spacing="1",
            ),
            rx.flex(
                search_box(),
                category_filter(),
                spacing="3",
                width="100%",
                wrap="wrap",
                align="center",
            ),
            status_tabs(),
            rx.cond(
                CatalogState.error != "",
                rx.callout(CatalogState.error, icon="triangle_alert", color_scheme="red", width="100%"),
            ),
            rx.box(results(), id="catalog-results", width="100%"),
            spacing="5",
            width="100%",
        )
    )
