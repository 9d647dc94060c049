"""Every view that changes something on a POST is protected against a double click and a
stale form: it is sent once (``en_gang``, the key its page drew), carries the ärende's
version (``kräv_version`` under the row lock), is an API call made once per
``Idempotency-Key``, or is naturally idempotent and stands in the allow-list below with why.
A new POST view without any of these fails here, by name."""

from __future__ import annotations

import inspect

from django.urls import URLResolver, get_resolver

#: views whose POST changes nothing, or does the same thing however often it is sent; each
#: with why. A view is added here only with a reason a reviewer can check.
NATURLIGT_IDEMPOTENTA = {
    # runs the verification of the history chains and shows the report; writes nothing
    "arenden.granskning.views.verifiering": "läser bara",
    # logging in with a one-time code: a second sending of the same code is refused by the
    # TOTP check itself (a code is used once), and it creates no row
    "arenden.konto.totp.kod": "inloggning",
    # confirming a new TOTP secret: a second sending sets the same secret again
    "arenden.konto.totp.registrera": "samma hemlighet igen",
    # Django's admin history page for a workflow role; only a GET in practice
    "workflow.admin.ReadOnlyHistoryAdmin.history_form_view": "läser bara",
    # an address under api/ that no endpoint answers: a problem details 404 for any method
    "arenden.api.views.saknas": "finns inte",
}

#: views that refuse a stale form by the ärende's version (FL 9 § – the ärende is handled on
#: what it is, not on what someone read earlier) without a one-time key
VERSIONSKONTROLLERADE = {
    # the API's step: the caller sends the version it read; a second identical call finds
    # the version moved and gets 409 with a Swedish message
    "arenden.api.views.Overgangar",
}

PROJEKT = ("arenden", "flows", "workflow")


def _monster(monster, prefix=""):
    for m in monster:
        if isinstance(m, URLResolver):
            yield from _monster(m.url_patterns, prefix + str(m.pattern))
        else:
            yield prefix + str(m.pattern), m.callback


def _kedja(f):
    while f is not None:
        yield f
        f = getattr(f, "__wrapped__", None)


def _namn(vy) -> str:
    kl = getattr(vy, "view_class", None)
    inre = kl if kl else list(_kedja(vy))[-1]
    return f"{inre.__module__}.{inre.__qualname__}"


def _tar_emot_post(vy) -> bool:
    kl = getattr(vy, "view_class", None)
    if kl is not None:
        return any(hasattr(kl, m) for m in ("post", "put", "patch", "delete"))
    inre = list(_kedja(vy))[-1]
    try:
        kalla = inspect.getsource(inre)
    except (OSError, TypeError):
        return False
    return "POST" in kalla or "request.method" in kalla


def skydd(vy) -> str | None:
    """How the view is kept from doing a thing twice, or None."""
    namn = _namn(vy)
    if any(getattr(f, "en_gang", False) for f in _kedja(vy)):
        return "en_gang"
    kl = getattr(vy, "view_class", None)
    if kl is not None:
        metoder = [getattr(kl, m) for m in ("post", "put", "patch", "delete") if hasattr(kl, m)]
        if metoder and all(
            any(getattr(f, "idempotent", False) for f in _kedja(m)) for m in metoder
        ):
            return "Idempotency-Key"
    if namn in VERSIONSKONTROLLERADE:
        return "version"
    if namn in NATURLIGT_IDEMPOTENTA:
        return "naturligt idempotent"
    return None


def _post_vyer():
    for vag, vy in _monster(get_resolver().url_patterns):
        if _namn(vy).startswith(PROJEKT) and _tar_emot_post(vy):
            yield vag, vy


def test_varje_post_vy_ar_skyddad_mot_dubbelklick():
    oskyddade = sorted({f"{_namn(vy)} ({vag})" for vag, vy in _post_vyer() if skydd(vy) is None})
    assert oskyddade == [], (
        "Vyer som tar emot POST utan engångsnyckel (en_gang), versionskontroll, "
        "Idempotency-Key eller en motivering i NATURLIGT_IDEMPOTENTA: " + ", ".join(oskyddade)
    )


def test_listorna_namner_bara_vyer_som_finns():
    # an allow-list entry left behind by a removed or renamed view would silently allow a
    # new view of that name
    finns = {_namn(vy) for _vag, vy in _post_vyer()}
    assert set(NATURLIGT_IDEMPOTENTA) - finns == set()
    assert VERSIONSKONTROLLERADE - finns == set()


def test_en_ny_oskyddad_post_vy_upptacks():
    def ny_vy(request):
        if request.method == "POST":
            pass

    assert _tar_emot_post(ny_vy)
    assert skydd(ny_vy) is None


def test_de_viktigaste_formularen_skickas_en_gang():
    # the forms the brief names: new handling, tilldela, new begäran, punkt on the
    # föredragningslista, sändlista, delegationsbeslut, återrapportering, ledamotsregister
    namn = {_namn(vy): skydd(vy) for _vag, vy in _post_vyer()}
    for vy in (
        "arenden.diarium.views.ny_handling",
        "arenden.handlaggning.views.tilldela_vy",
        "arenden.begaran.views.ny_begaran",
        "arenden.sammantraden.views.mote_punkt",
        "arenden.handlaggning.views.sandlista",
        "arenden.delegering.views.delegationsbeslut",
        "arenden.handlaggning.views.redovisa",
        "arenden.sammantraden.views.organ_ledamoter",
    ):
        assert namn.get(vy) == "en_gang", vy
