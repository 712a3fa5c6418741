"""The AsyncAPI document names every topic and only references schema files that exist."""

import re
from pathlib import Path

from streams.topics import Topic

DOC = Path(__file__).resolve().parents[2] / "schemas" / "asyncapi.yaml"


def test_every_topic_has_a_channel() -> None:
    text = DOC.read_text(encoding="utf-8")
    addresses = set(re.findall(r"^\s+address: (\S+)$", text, re.MULTILINE))
    assert addresses == {t.value for t in Topic}


def test_schema_references_exist() -> None:
    text = DOC.read_text(encoding="utf-8")
    refs = re.findall(r"\$ref: '(\./json/[^']+)'", text)
    assert refs
    for ref in refs:
        assert (DOC.parent / ref).is_file(), ref


def test_internal_references_resolve() -> None:
    text = DOC.read_text(encoding="utf-8")
    for kind, name in re.findall(r"\$ref: '#/(components/messages|channels)/(\w+)'", text):
        indent = "    " if kind == "components/messages" else "  "
        assert re.search(rf"^{indent}{name}:$", text, re.MULTILINE), f"{kind}/{name}"
