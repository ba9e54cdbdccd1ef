"""Placeholder: replaced by the help center feature."""

from __future__ import annotations

import reflex as rx

from helpdesk.web.app_state import AppState


class HelpCenterState(AppState):
    @rx.event
    def load_home(self):
        pass


class ArticleState(AppState):
    @rx.event
    def load(self):
        pass


class CategoryState(AppState):
    @rx.event
    def load(self):
        pass
