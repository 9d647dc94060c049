"""Archive export: each closed ärende as an FGS Paketstruktur package (METS with PREMIS) with
its FGS Ärendehantering metadata, valid against the schemas kept in arenden/arkiv/scheman."""

import datetime
import hashlib
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from lxml import etree

from arenden.arkiv import export as arkiv
from arenden.diarium.services import lagg_till_handling
from arenden.granskning import services as granskning
from arenden.handlaggning.services import expediera_till, tilldela
from arenden.models import Arende, Handling
from tests import factories
from workflow.engine import do_transition

pytestmark = pytest.mark.django_db

NS = {
    "mets": arkiv.METS,
    "xlink": arkiv.XLINK,
    "premis": arkiv.PREMIS,
    "fgs": arkiv.FGS,
    "t": arkiv.TILLAGG,
}
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
OSL = "OSL 25 kap. 1 §"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def cast():
    return factories.Cast()


@pytest.fixture
def avslutat(cast):
    """An ärende taken the whole way: handlingar with files, a beslut, expediering, avslut."""
    arende = cast.registrera("Handslag med Cancerfonden för en bättre palliativ vård")
    tilldela(arende, handlaggare=cast.handlaggare, user=cast.stabschef)
    do_transition(arende, "paborja_beredning", cast.handlaggare)
    lagg_till_handling(
        arende,
        user=cast.handlaggare,
        typ=Handling.Typ.SKRIVELSE,
        riktning=Handling.Riktning.INKOMMEN,
        titel="Skrivelse från Cancerfonden",
        avsandare_mottagare="Cancerfonden",
        fil=SimpleUploadedFile("skrivelse från fonden.pdf", PDF, "application/pdf"),
    )
    lagg_till_handling(
        arende,
        user=cast.handlaggare,
        typ=Handling.Typ.BILAGA,
        riktning=Handling.Riktning.UPPRATTAD,
        titel="Läkarintyg",
        offentlig_titel="Intyg",
        sekretess_lagrum=OSL,
        fil=SimpleUploadedFile("intyg.pdf", PDF + b"% intyg\n", "application/pdf"),
    )
    factories.forslag_till_beslut(arende, cast.handlaggare)
    do_transition(arende, "markera_beredd", cast.handlaggare, "Tjänsteskrivelsen klar")
    factories.anmal(arende, cast.sekreterare)
    factories.besluta(arende, cast.sekreterare, "Bifall.")
    expediera_till(arende.mottagare.get(), user=cast.sekreterare, metod="e-post")
    arende.refresh_from_db()
    do_transition(arende, "avsluta", cast.stabschef, "Klart")
    arende.refresh_from_db()
    return arende


def _export(tmp_path, *args, av="registrator-HSN"):
    """Run the delivery as ``av`` (the cast's registrator)."""
    out = io.StringIO()
    call_command(
        "arkivexport", "--till-mapp", str(tmp_path / "leverans"), "--av", av, *args, stdout=out
    )
    return out.getvalue()


def _paket(tmp_path, arende) -> Path:
    return tmp_path / "leverans" / arkiv.paketnamn(arende)


def test_a_closed_arende_is_packed_valid_against_mets_premis_and_fgs(tmp_path, avslutat):
    _export(tmp_path, "--organ", "HSN")
    paket = _paket(tmp_path, avslutat)

    mets = etree.parse(str(paket / "mets.xml"))
    fgs = etree.parse(str(paket / "content" / "arende.xml"))
    premis = etree.parse(str(paket / "metadata" / "premis.xml"))
    assert arkiv.schema("mets.xsd").validate(mets)
    # Riksarkivet's FGS Ärendehantering schema as published, and with it the project's
    # schema for what TillkommandeXMLdata carries
    assert arkiv.schema("Arendehantering.xsd").validate(fgs)
    assert arkiv.schema("arendehantering-tillagg.xsd").validate(fgs)
    assert arkiv.schema("premis.xsd").validate(premis)

    arende = fgs.find(".//fgs:ArkivobjektArende", NS)
    assert arende.findtext("fgs:ArkivobjektID", namespaces=NS) == str(avslutat.diarienummer)
    assert arende.findtext("fgs:StatusArande", namespaces=NS) == "Stängt"
    assert arende.findtext("fgs:Avslutat", namespaces=NS) == avslutat.avslutat.isoformat()
    assert arende.findtext("fgs:Beslutat", namespaces=NS) == "2025-11-12"
    uppgifter = arende.find("fgs:TillkommandeXMLdata/t:Arendeuppgifter", NS)
    assert uppgifter.findtext("t:Beslut/t:Beslutstext", namespaces=NS) == "Bifall."
    roller = arende.xpath("fgs:Agent/fgs:Roll/text()", namespaces=NS)
    assert "Handläggare" in roller and "Mottagare av beslut" in roller
    handlingar = arende.findall(".//fgs:ArkivobjektHandling", NS)
    assert [h.findtext("fgs:ArkivobjektID", namespaces=NS) for h in handlingar][:2] == [
        f"{avslutat.diarienummer}:1",
        f"{avslutat.diarienummer}:2",
    ]
    skrivelse = handlingar[0]
    assert skrivelse.findtext("fgs:Avsandare/fgs:Namn", namespaces=NS) == "Cancerfonden"
    assert skrivelse.findtext("fgs:StatusHandling", namespaces=NS) == "Inkommen"
    # the whole workflow history, with its hash chain intact
    poster = uppgifter.findall("t:Historik/t:Post", NS)
    assert [p.findtext("t:TillStatus", namespaces=NS) for p in poster][-1] == "avslutat"
    assert uppgifter.findtext("t:Historik/t:Kedja", namespaces=NS) == "obruten"
    for tidigare, post in zip(poster, poster[1:], strict=False):
        forra = tidigare.findtext("t:Hash", namespaces=NS)
        assert post.findtext("t:ForegaendeHash", namespaces=NS) == forra


def test_every_checksum_in_the_mets_matches_its_file(tmp_path, avslutat):
    _export(tmp_path)
    paket = _paket(tmp_path, avslutat)
    mets = etree.parse(str(paket / "mets.xml"))
    refererade = mets.xpath("//mets:file | //mets:mdRef", namespaces=NS)
    # two handlingar with files, the tjänsteskrivelse's PDF if filed, arende.xml, premis.xml
    assert len(refererade) >= 4
    for el in refererade:
        href = (el.find("mets:FLocat", NS) if el.tag.endswith("file") else el).get(
            f"{{{arkiv.XLINK}}}href"
        )
        fil = paket / href.removeprefix("file:")
        data = fil.read_bytes()
        assert el.get("CHECKSUMTYPE") == "SHA-256"
        assert el.get("CHECKSUM") == hashlib.sha256(data).hexdigest(), href
        assert int(el.get("SIZE")) == len(data)
    # and the handling's file is the one that was filed, byte for byte
    intyg = avslutat.handlingar.get(nummer=2)
    premis = etree.parse(str(paket / "metadata" / "premis.xml"))
    digests = premis.xpath("//premis:messageDigest/text()", namespaces=NS)
    assert intyg.sha256 in digests


def test_a_tampered_file_is_not_delivered(tmp_path, avslutat):
    handling = avslutat.handlingar.get(nummer=1)
    Path(handling.fil.path).write_bytes(PDF + b"% andrad\n")
    with pytest.raises(CommandError, match="stämmer inte med sin kontrollsumma"):
        _export(tmp_path)
    avslutat.refresh_from_db()
    assert avslutat.levererad is None
    assert not _paket(tmp_path, avslutat).exists()


def test_a_sekretess_marked_arende_carries_its_lagrum(tmp_path, cast):
    """OSL 5 kap. 5 §: the marking says under which lagrum, when and by whom."""
    arende = cast.registrera("Klagomål på vården", sekretess_lagrum=OSL)
    do_transition(arende, "avskriva", cast.stabschef, "Klagomålet återkallades")
    _export(tmp_path)
    fgs = etree.parse(str(_paket(tmp_path, arende) / "content" / "arende.xml"))
    restriktion = fgs.find(".//fgs:ArkivobjektArende/fgs:Restriktion", NS)
    assert restriktion.get("Typ") == "Sekretess"
    assert restriktion.findtext("fgs:Lagrum", namespaces=NS) == OSL
    assert restriktion.findtext("fgs:RestriktionsDatum", namespaces=NS)
    assert "Sekretessmarkerad av" in restriktion.findtext("fgs:ForklarandeText", namespaces=NS)
    assert fgs.findtext(".//t:Arendeuppgifter/t:OffentligRubrik", namespaces=NS) == (
        "Ärende med sekretess"
    )


def test_each_handling_of_a_secret_arende_carries_the_arendes_lagrum(tmp_path, cast):
    """A handling read apart from its ärende (the e-arkiv's search, an extract) still says
    that it is secret, and under what (OSL 5 kap. 5 §)."""
    arende = cast.registrera("Klagomål på vården", sekretess_lagrum=OSL)
    lagg_till_handling(
        arende,
        user=cast.registrator,
        typ="skrivelse",
        riktning="inkommen",
        titel="Klagomålet",
        fil=SimpleUploadedFile("klagomal.pdf", PDF),
    )
    do_transition(arende, "avskriva", cast.stabschef, "Klagomålet återkallades")
    _export(tmp_path)
    fgs = etree.parse(str(_paket(tmp_path, arende) / "content" / "arende.xml"))
    [restriktion] = fgs.findall(".//fgs:ArkivobjektHandling/fgs:Restriktion", NS)
    assert restriktion.get("Typ") == "Sekretess"
    assert restriktion.findtext("fgs:Lagrum", namespaces=NS) == OSL
    assert restriktion.findtext("fgs:RestriktionsDatum", namespaces=NS)


def test_a_handling_marked_secret_carries_its_lagrum(tmp_path, avslutat):
    _export(tmp_path)
    fgs = etree.parse(str(_paket(tmp_path, avslutat) / "content" / "arende.xml"))
    intyg = fgs.xpath(
        "//fgs:ArkivobjektHandling[fgs:Lopnummer='2']/fgs:Restriktion/fgs:Lagrum/text()",
        namespaces=NS,
    )
    assert intyg == [OSL]


def test_a_second_export_does_not_repeat_levererade_arenden(tmp_path, avslutat, cast):
    forsta = _export(tmp_path)
    assert str(avslutat.diarienummer) in forsta
    avslutat.refresh_from_db()
    assert avslutat.levererad is not None

    senare = cast.registrera("Ett senare ärende")
    do_transition(senare, "avskriva", cast.stabschef, "Drogs tillbaka")
    andra = _export(tmp_path)
    assert str(avslutat.diarienummer) not in andra
    assert str(senare.diarienummer) in andra
    assert "1 ärenden levererade" in andra

    # asked for by name, once levererat: refused unless --igen
    with pytest.raises(CommandError, match="levererades"):
        _export(tmp_path, "--diarienummer", str(avslutat.diarienummer))
    assert str(avslutat.diarienummer) in _export(
        tmp_path, "--diarienummer", str(avslutat.diarienummer), "--igen"
    )


def test_the_arendes_history_names_who_delivered_it_and_why(tmp_path, avslutat, cast):
    """The revisor reads in the ärende's timeline who marked it delivered to the e-arkiv,
    and that it was a delivery: not "systemet" with no reason."""
    _export(tmp_path)
    avslutat.refresh_from_db()
    handelser = granskning.tidslinje(avslutat, 0, granskning.antal_handelser(avslutat))
    leveranser = [
        h for h in handelser if any(a.falt == "levererat till arkiv" for a in h.andringar)
    ]
    assert leveranser, "tidslinjen visar leveransen"
    senaste = leveranser[-1]
    assert senaste.vem == cast.registrator.username
    assert senaste.orsak == "leverans till e-arkiv"
    rad = avslutat.history.order_by("-history_id").first()
    assert avslutat.levererad is not None and rad.levererad == avslutat.levererad
    assert rad.history_user == cast.registrator
    assert rad.history_change_reason == "leverans till e-arkiv"


@pytest.mark.parametrize(
    "av", [None, "ingen-sadan", "registrator-HSN"], ids=["utan-av", "okand", "inaktiv"]
)
def test_a_delivery_without_who_delivers_is_refused_and_marks_nothing(tmp_path, avslutat, cast, av):
    """No --av, an unknown user or one no longer active: refused in Swedish before any
    package is built, and the ärende stays undelivered."""
    cast.registrator.is_active = False
    cast.registrator.save()
    rader = avslutat.history.count()
    args = [] if av is None else ["--av", av]
    with pytest.raises(CommandError, match="Ange vem som levererar med --av"):
        call_command(
            "arkivexport", "--till-mapp", str(tmp_path / "leverans"), *args, stdout=io.StringIO()
        )
    avslutat.refresh_from_db()
    assert avslutat.levererad is None and avslutat.levererad_version is None
    assert avslutat.history.count() == rader
    assert not _paket(tmp_path, avslutat).exists()


def test_only_the_registrator_delivers_to_the_e_arkiv(tmp_path, avslutat, cast):
    """The ärende's history names who delivered it: a handläggare or a stabschef named with
    --av is refused before any package is built, and so is one named to the door itself."""
    rader = avslutat.history.count()
    for vem in (cast.handlaggare, cast.stabschef):
        with pytest.raises(
            CommandError,
            match=f"{vem.username} får inte leverera till e-arkivet: det får den som har "
            "registratorns behörighet för arkivvården.",
        ):
            _export(tmp_path, av=vem.username)
    assert not _paket(tmp_path, avslutat).exists()
    paket = arkiv.bygg_paket(avslutat, tmp_path / "leverans")
    with pytest.raises(arkiv.ArkivFel, match="får inte leverera till e-arkivet"):
        arkiv.markera_levererat(paket, user=cast.handlaggare)
    avslutat.refresh_from_db()
    assert avslutat.levererad is None and avslutat.history.count() == rader
    arkiv.markera_levererat(paket, user=cast.registrator)
    avslutat.refresh_from_db()
    assert avslutat.levererad is not None


def _sent_handling(arende, cast, titel="Överklagande från Cancerfonden"):
    """A handling that arrives after the end, registered in the closed ärende (OSL 5 kap.
    1 §)."""
    return lagg_till_handling(
        arende,
        user=cast.registrator,
        typ=Handling.Typ.SKRIVELSE,
        riktning=Handling.Riktning.INKOMMEN,
        titel=titel,
        avsandare_mottagare="Cancerfonden",
        fil=SimpleUploadedFile("overklagande.pdf", PDF + b"% sent\n", "application/pdf"),
    )


def _i_paketet(tmp_path, arende) -> list[str]:
    return sorted(p.name for p in (_paket(tmp_path, arende) / "content" / "handlingar").iterdir())


def test_a_handling_registered_after_the_delivery_is_delivered_too(tmp_path, avslutat, cast):
    """The registrator registers a late handling (an överklagande) in a delivered ärende: the
    e-arkiv's package lacks it, so the ärende is due for delivery again, and the next run
    delivers it whole, the late handling with it; then it is due no more."""
    _export(tmp_path)
    fore = _i_paketet(tmp_path, avslutat)
    assert list(arkiv.att_leverera()) == []
    sen = _sent_handling(avslutat, cast)
    avslutat.refresh_from_db()
    assert arkiv.andrat_sedan_leverans(avslutat)
    assert list(arkiv.att_leverera()) == [avslutat]

    andra = _export(tmp_path)
    assert f"levererat igen (ändrat sedan förra leveransen): {avslutat.diarienummer}" in andra
    efter = _i_paketet(tmp_path, avslutat)
    assert len(efter) == len(fore) + 1 and efter[-1].startswith(f"{sen.nummer:04d}-")
    avslutat.refresh_from_db()
    assert not arkiv.andrat_sedan_leverans(avslutat)
    assert list(arkiv.att_leverera()) == []
    # asked for by name, the changed ärende needs no --igen either
    _sent_handling(avslutat, cast, "Komplettering")
    assert str(avslutat.diarienummer) in _export(
        tmp_path, "--diarienummer", str(avslutat.diarienummer)
    )


def test_a_handling_registered_while_the_package_is_built_is_not_lost(
    tmp_path, avslutat, cast, monkeypatch
):
    """The registrator registers a late handling while the export copies the files: the
    package built before it lacks it, so it is not marked delivered; the export builds it
    again, and what it marks delivered holds the handling."""
    bygg = arkiv.bygg_paket
    sen = []

    def medan_det_byggs(arende, mal, **kwargs):
        paket = bygg(arende, mal, **kwargs)
        if not sen:
            sen.append(_sent_handling(arende, cast))
        return paket

    monkeypatch.setattr(arkiv, "bygg_paket", medan_det_byggs)
    _export(tmp_path)
    assert _i_paketet(tmp_path, avslutat)[-1].startswith(f"{sen[0].nummer:04d}-")
    avslutat.refresh_from_db()
    assert avslutat.levererad is not None and not arkiv.andrat_sedan_leverans(avslutat)


def test_a_package_of_an_arende_that_changed_is_never_marked_delivered(tmp_path, avslutat, cast):
    paket = arkiv.bygg_paket(avslutat, tmp_path / "leverans")
    _sent_handling(avslutat, cast)
    with pytest.raises(arkiv.ArkivFel, match="ändrades medan paketet byggdes"):
        arkiv.markera_levererat(paket, user=cast.registrator)
    avslutat.refresh_from_db()
    assert avslutat.levererad is None and avslutat.levererad_version is None


def test_an_arende_reopened_while_the_package_is_built_is_not_delivered(
    tmp_path, avslutat, cast, monkeypatch
):
    """The stabschef reopens the ärende while the export copies its files: it is open, so it
    is not delivered and not marked, and its half-true package does not stay in the folder;
    the export goes on with the others."""
    bygg = arkiv.bygg_paket

    def medan_det_byggs(arende, mal, **kwargs):
        paket = bygg(arende, mal, **kwargs)
        do_transition(arende, "ateroppna", cast.stabschef, "Ny utredning")
        return paket

    monkeypatch.setattr(arkiv, "bygg_paket", medan_det_byggs)
    utskrift = _export(tmp_path)
    assert f"inte levererat: {avslutat.diarienummer} ändrades medan paketet byggdes" in utskrift
    assert "0 ärenden levererade" in utskrift
    avslutat.refresh_from_db()
    assert avslutat.levererad is None
    assert not _paket(tmp_path, avslutat).exists()


def test_an_open_arende_is_refused(tmp_path, cast):
    oppet = cast.registrera("Pågår fortfarande")
    with pytest.raises(CommandError, match="inte avslutat"):
        _export(tmp_path, "--diarienummer", str(oppet.diarienummer))
    with pytest.raises(arkiv.ArkivFel, match="inte avslutat"):
        arkiv.bygg_paket(oppet, tmp_path / "leverans")
    # nor does a delivery by organ pick it up
    assert "0 ärenden levererade" in _export(tmp_path, "--organ", "HSN")
    oppet.refresh_from_db()
    assert oppet.levererad is None


def test_a_dry_run_writes_and_marks_nothing(tmp_path, avslutat):
    out = _export(tmp_path, "--torrkorning")
    assert f"skulle levereras: {avslutat.diarienummer}" in out
    assert not _paket(tmp_path, avslutat).exists()
    avslutat.refresh_from_db()
    assert avslutat.levererad is None


def test_a_dry_run_names_a_secret_arende_by_its_public_rubrik(tmp_path, avslutat):
    """Who runs the job reads the terminal and its logs, not the secret content."""
    Arende.objects.filter(pk=avslutat.pk).update(
        sekretess_lagrum=OSL, offentlig_rubrik="Avtal om samverkan"
    )
    out = _export(tmp_path, "--torrkorning")
    assert f"{avslutat.diarienummer} Avtal om samverkan – Sekretess ({OSL})" in out
    assert "Cancerfonden" not in out


def test_the_period_selects_by_the_day_the_arende_closed(tmp_path, avslutat):
    dag = avslutat.avslutat
    fore = (dag - datetime.timedelta(days=1)).isoformat()
    assert "0 ärenden" in _export(tmp_path, "--till", fore)
    assert "1 ärenden" in _export(tmp_path, "--fran", dag.isoformat(), "--till", dag.isoformat())


@pytest.mark.parametrize(
    "args, fel",
    [
        (["--organ", "XYZ"], "finns inte"),
        (["--fran", "2025-13-01"], "Ogiltigt datum"),
        (["--fran", "2025-02-01", "--till", "2025-01-01"], "efter till-datumet"),
        (["--diarienummer", "inget nummer"], "Ogiltigt diarienummer"),
        (["--diarienummer", "HSN 9999-2025"], "finns inte"),
    ],
)
def test_bad_arguments_get_a_swedish_message(tmp_path, args, fel):
    with pytest.raises(CommandError, match=fel):
        _export(tmp_path, *args)


def test_a_target_that_cannot_be_written_gets_a_swedish_message(tmp_path, avslutat):
    (tmp_path / "leverans").write_text("en fil, ingen mapp")
    with pytest.raises(CommandError, match="Kan inte skriva paketet"):
        _export(tmp_path)
    avslutat.refresh_from_db()
    assert avslutat.levererad is None


def test_an_invalid_document_is_refused_by_the_schema(avslutat):
    rot = arkiv.arende_xml(avslutat, {})
    arkiv.validera(rot)
    status = rot.find(".//fgs:StatusArande", NS)
    status.text = "Pågående"  # not one of FGS's values
    with pytest.raises(arkiv.ArkivFel, match="StatusArande"):
        arkiv.validera(rot)
    # what TillkommandeXMLdata carries is checked too, against the project's schema
    rot = arkiv.arende_xml(avslutat, {})
    rot.find(".//t:Historik/t:Kedja", NS).text = "kanske"
    assert arkiv.schema("Arendehantering.xsd").validate(rot)  # the official one lets it by
    with pytest.raises(arkiv.ArkivFel, match="Kedja"):
        arkiv.validera(rot)


def test_the_demo_exports_and_validates(tmp_path):
    call_command("load_demo", stdout=io.StringIO())
    out = _export(tmp_path, av="registrator")
    stangda = [a for a in Arende.objects.all() if arkiv.ar_stangt(a)]
    assert stangda, "demon har minst ett avslutat ärende"
    for arende in stangda:
        assert str(arende.diarienummer) in out
        paket = _paket(tmp_path, arende)
        assert arkiv.schema("mets.xsd").validate(etree.parse(str(paket / "mets.xml")))
        fgs = etree.parse(str(paket / "content" / "arende.xml"))
        assert arkiv.schema("Arendehantering.xsd").validate(fgs)
        assert arkiv.schema("arendehantering-tillagg.xsd").validate(fgs)
        bilagor = fgs.findall(".//fgs:Bilaga", NS)
        assert len(bilagor) == len(list(paket.glob("content/handlingar/*")))
        for bilaga in bilagor:  # each link, relative to arende.xml, to its file
            data = (paket / "content" / bilaga.get("Lank")).read_bytes()
            assert bilaga.get("ChecksummaMetod") == "SHA-256"
            assert bilaga.get("Checksumma") == hashlib.sha256(data).hexdigest()
            assert int(bilaga.get("Storlek")) == len(data)


def test_a_run_that_died_before_marking_its_package_does_not_stop_the_next(tmp_path, avslutat):
    """The package was moved into place, then the run died before the ärende was marked
    delivered: the next run built nothing ("finns redan") for it and stopped there, so no
    later ärende was delivered either. It is now built again, marked, and the run goes on."""
    arkiv.bygg_paket(avslutat, tmp_path / "leverans")  # the run that died after the rename
    avslutat.refresh_from_db()
    assert avslutat.levererad is None
    utskrift = _export(tmp_path)
    assert f"{avslutat.diarienummer}: ett paket från en avbruten leverans görs om." in utskrift
    assert f"levererat: {avslutat.diarienummer}" in utskrift
    avslutat.refresh_from_db()
    assert avslutat.levererad is not None
    assert (_paket(tmp_path, avslutat) / "mets.xml").exists()
    assert not [p for p in (tmp_path / "leverans").iterdir() if p.name.startswith(".")]
