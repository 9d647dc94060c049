"""The hash chain of the workflow history.

Each entry's hash covers its own content and the previous entry's hash, so changing or
removing any entry breaks every link after it. The content is serialised canonically
(fixed field order, UTC timestamps with microseconds, sorted roles), so the same entry gives
the same hash on SQLite and PostgreSQL and after an export.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime


def canonical_time(value: datetime) -> str:
    """``YYYY-MM-DDTHH:MM:SS.ffffffZ`` in UTC."""
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    if value.year < 1000:  # isoformat pads the year, strftime does not: keep strftime's form
        return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    # the same text as strftime above, several times faster (verify_history hashes millions)
    return value.isoformat(timespec="microseconds")[:-6] + "Z"


def entry_hash(
    *,
    model_label: str,
    object_id: int,
    seq: int,
    workflow: str,
    transition: str,
    from_state: str,
    to_state: str,
    actor_id: int | None,
    actor_name: str,
    roles: list[str],
    timestamp: datetime,
    comment: str,
    prev_hash: str,
) -> str:
    payload = json.dumps(
        [
            model_label,
            int(object_id),
            int(seq),
            workflow,
            transition,
            from_state,
            to_state,
            actor_id,
            actor_name,
            sorted(roles),
            canonical_time(timestamp),
            comment,
            prev_hash,
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


# -- the key: what a database administrator does not have ------------------------------------
#
# The SHA-256 chain above shows a change to anyone who recomputes it, but anyone with the
# database can also recompute it after a change. So each entry also carries an HMAC-SHA256
# of its hash under a secret key kept outside the database (settings, from the environment),
# with the id of that key: without the key no entry can be written, rewritten or relinked so
# that it verifies. Keys rotate: new entries are signed with the current key, and every key
# that ever signed an entry stays listed (``WORKFLOW_HISTORY_OLD_KEYS``) so those verify.

#: the development default; production mode refuses it (config/settings.py)
DEVELOPMENT_KEY = "utveckling-endast-inte-hemlig-historiknyckel-byt-i-produktion"
DEVELOPMENT_KEY_ID = "utv"


def keys() -> dict[str, bytes]:
    """Every key id the verifier accepts, with its secret (the current one included)."""
    from django.conf import settings

    found = {
        str(key_id): str(secret).encode("utf-8")
        for key_id, secret in (getattr(settings, "WORKFLOW_HISTORY_OLD_KEYS", None) or {}).items()
    }
    key_id, secret = current_key()
    found[key_id] = secret
    return found


def current_key() -> tuple[str, bytes]:
    """(id, secret) of the key new entries and checkpoints are signed with."""
    from django.conf import settings

    key_id = getattr(settings, "WORKFLOW_HISTORY_KEY_ID", None) or DEVELOPMENT_KEY_ID
    secret = getattr(settings, "WORKFLOW_HISTORY_KEY", None) or DEVELOPMENT_KEY
    return str(key_id), str(secret).encode("utf-8")


def entry_mac(key: bytes, key_id: str, digest: str) -> str:
    """HMAC-SHA256, under ``key``, of the text ``<key id>\\n<entry hash>``, in hex. The hash
    covers the entry's content and the previous entry's hash, so the MAC binds both."""
    return hmac.new(key, f"{key_id}\n{digest}".encode(), hashlib.sha256).hexdigest()


def field_row_mac(key: bytes, key_id: str, model_label: str, values: dict, prev_mac: str) -> str:
    """The MAC of one field-history row (workflow.fieldhistory): HMAC-SHA256, under ``key``,
    of the text ``<key id>\\n<JSON>``, in hex, where the JSON (sorted keys, no spaces, UTF-8)
    is ``[<historical model's label>, {column: value, ...}, <previous row's MAC>]``: the
    row's values in canonical form (workflow.fieldhistory.canonical), the values equal to
    the column's default left out, and ``""`` as the previous MAC of an object's first row."""
    payload = json.dumps(
        [model_label, values, prev_mac], ensure_ascii=False, sort_keys=True, separators=(",", ":")
    )
    return hmac.new(key, f"{key_id}\n{payload}".encode(), hashlib.sha256).hexdigest()


def sign(key: bytes, data: bytes) -> str:
    """HMAC-SHA256 of ``data`` under ``key``, in hex (the checkpoints' signature)."""
    return hmac.new(key, data, hashlib.sha256).hexdigest()


def seal(label: str, content: dict) -> tuple[str, str]:
    """(key id, MAC) of a record kept outside the histories that must reach its use as it
    was written (a queued job, say): :func:`field_row_mac` of ``content`` (JSON values) under
    the current key, with ``label`` naming what kind of record it is."""
    key_id, key = current_key()
    return key_id, field_row_mac(key, key_id, label, content, "")


def seal_holds(label: str, content: dict, key_id: str, mac: str) -> bool:
    """Does ``content`` still agree with the seal :func:`seal` gave it?"""
    key = keys().get(key_id)
    if key is None:
        return False
    return hmac.compare_digest(field_row_mac(key, key_id, label, content, ""), mac or "")
