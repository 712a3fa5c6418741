"""Message catalogues: the translated sentences templates are built from.

One JSON file per tenant and locale (``<tenant>/messages/<locale>.json``),
nested objects flattened to dotted keys. Templates are shared across
locales and call ``t("key", ...)``; a locale's catalogue is layered
most-specific first (tenant pt-BR, default pt-BR, tenant pt, default pt),
so a regional catalogue only needs the sentences that differ.
"""

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from string import Formatter
from typing import Any

from channels.templating.safety import TemplatingError

_FORMATTER = Formatter()


def flatten(tree: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in tree.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.update(flatten(value, f"{dotted}."))
        elif isinstance(value, str):
            out[dotted] = value
        else:
            raise TemplatingError(f"catalogue entry {dotted!r} is not text")
    return out


def load_catalogue(path: Path) -> dict[str, str] | None:
    """Flattened catalogue at ``path``, or None when the file does not exist."""
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    tree = json.loads(raw)
    if not isinstance(tree, dict):
        raise TemplatingError(f"catalogue {path.name} is not a JSON object")
    return flatten(tree)


def placeholders(message: str) -> set[str]:
    return {field for _, field, _, _ in _FORMATTER.parse(message) if field}


class Translator:
    """``t(key, **params)`` for templates.

    ``layers`` are searched in order. ``fallback`` layers (the default
    language) are only used when not ``strict``: at run time a missing
    sentence in a tenant-added locale should not stop a payment notice, but
    ``templates check`` must see it.
    """

    def __init__(
        self,
        layers: Sequence[Mapping[str, str]],
        fallback: Sequence[Mapping[str, str]] = (),
        *,
        strict: bool,
    ) -> None:
        self._layers = tuple(layers)
        self._fallback = tuple(fallback)
        self._strict = strict

    def lookup(self, key: str) -> str:
        for layer in self._layers:
            if key in layer:
                return layer[key]
        if not self._strict:
            for layer in self._fallback:
                if key in layer:
                    return layer[key]
        raise TemplatingError(f"no message {key!r} in the catalogue")

    def __call__(self, key: str, **params: object) -> str:
        message = self.lookup(key)
        # Values are substituted into the trusted catalogue string; a value
        # that itself looks like "{amount}" is never interpreted, because
        # only the catalogue string is parsed as a format.
        try:
            return message.format_map({k: str(v) for k, v in params.items()})
        except (KeyError, IndexError, ValueError) as exc:
            raise TemplatingError(f"message {key!r} needs a parameter it was not given") from exc
