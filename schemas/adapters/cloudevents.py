"""CloudEvents 1.0 structured-mode JSON envelopes around any payload we accept."""

import base64
import binascii
import json
from typing import Any

from schemas.adapters.errors import AdapterError

REQUIRED = ("specversion", "id", "source", "type")


def is_cloudevent(raw: dict[str, Any]) -> bool:
    return "specversion" in raw


def unwrap(raw: dict[str, Any]) -> dict[str, Any]:
    """The event's data as an object; checks the envelope's required attributes."""
    if raw.get("specversion") != "1.0":
        raise AdapterError("bad_cloudevent", f"specversion {raw.get('specversion')!r} is not 1.0")
    missing = [k for k in REQUIRED if not isinstance(raw.get(k), str) or not raw[k]]
    if missing:
        raise AdapterError("bad_cloudevent", f"missing {', '.join(missing)}")
    content_type = raw.get("datacontenttype", "application/json")
    if not isinstance(content_type, str) or "json" not in content_type:
        raise AdapterError("bad_cloudevent", f"datacontenttype {content_type!r} is not JSON")
    if "data_base64" in raw:
        try:
            data = json.loads(base64.b64decode(raw["data_base64"], validate=True))
        except (binascii.Error, ValueError, TypeError) as exc:
            raise AdapterError("bad_cloudevent", "data_base64 is not base64 JSON") from exc
    else:
        data = raw.get("data")
    if not isinstance(data, dict):
        raise AdapterError("bad_cloudevent", "data is not a JSON object")
    if "specversion" in data:
        raise AdapterError("bad_cloudevent", "nested CloudEvents are not accepted")
    return data
