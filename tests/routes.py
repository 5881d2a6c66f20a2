"""The app's route table as the walkers see it: every method and path, and who each route admits."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import iter_route_contexts

STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# The OpenAPI schema, Swagger UI's files and the static files: open to all by design.
FRAMEWORK_PATHS = frozenset({"/api/openapi.json", "/api/docs/assets", "/static"})
PATH_VALUES = {
    "{slug}": "sample-module",
    "{lesson_slug}": "passwords",
    "{language}": "fr",
    "{token_id}": "1",
    "{attempt_id}": "1",
    "{message_id}": "1",
    "{token}": "no-such-invitation",
    "{employee_id}": "A1",
    "{number}": "1",
    "{old}": "1",
    "{new}": "1",
}


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    access_rules: frozenset[str]

    @property
    def url(self) -> str:
        url = self.path
        for placeholder, value in PATH_VALUES.items():
            url = url.replace(placeholder, value)
        assert "{" not in url, f"the walkers need a value for a parameter of {self.path}"
        return url

    @property
    def is_api(self) -> bool:
        return self.path.startswith("/api/")


def _rules(dependant: Dependant) -> Iterator[str]:
    for dependency in dependant.dependencies:
        rule = getattr(dependency.call, "access_rule", None)
        if rule is not None:
            yield str(rule)
        yield from _rules(dependency)


def route_table(app: FastAPI) -> list[Route]:
    routes = []
    for context in iter_route_contexts(app.routes):
        if context.path in FRAMEWORK_PATHS:
            continue
        rules = frozenset(_rules(context.dependant))
        routes.extend(Route(method, context.path, rules) for method in sorted(context.methods or ()) if method != "HEAD")
    return routes
