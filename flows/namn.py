"""The names of the lifecycle definitions' states, transitions (steg) and worklists.

One vocabulary: ``flows/arende.py``, ``flows/sammantrade.py`` and ``flows/begaran.py`` build
their definitions from these members, and the domain, the processes and the benchmark name an
id through them (``do_transition(arende, ArendeSteg.BESLUTA, user)``,
``arende.state == ArendeStatus.BESLUTAT``), so a misspelt name fails when the module loads.
A member is a ``str`` (``StrEnum``): it compares equal to the id, so database values, URLs and
templates, which keep the plain ids, work unchanged.

The members are written out, not derived from the definitions: ``manage.py workflow_check``
(``workflow.vocabulary``) fails when a definition has an id without a member here, or a member
names an id the definition does not have. This module imports nothing of the domain, so any
module may import it without an import cycle (the definitions import the domain's models).
"""

from enum import StrEnum

# -- the ärende (flows/arende.py) ----------------------------------------------------------


class ArendeStatus(StrEnum):
    REGISTRERAT = "registrerat"
    TILLDELAT = "tilldelat"
    UNDER_BEREDNING = "under_beredning"
    BEREDD = "beredd"
    ANMALT = "anmalt"
    BESLUTAT = "beslutat"
    EXPEDIERAT = "expedierat"
    BEVAKAS = "bevakas"
    ATERREMITTERAT = "aterremitterat"
    BORDLAGT = "bordlagt"
    OVERLAMNAT = "overlamnat"
    VILANDE = "vilande"
    AVSLUTAT = "avslutat"
    AVSKRIVET = "avskrivet"
    MAKULERAT = "makulerat"


class ArendeSteg(StrEnum):
    TILLDELA = "tilldela"
    PABORJA_BEREDNING = "paborja_beredning"
    BEGARA_YTTRANDE = "begara_yttrande"
    YTTRANDE_INKOMMET = "yttrande_inkommet"
    MARKERA_BEREDD = "markera_beredd"
    GODKANNA_BEREDNING = "godkanna_beredning"
    ATERUPPTA_BEREDNING = "ateruppta_beredning"
    ANMAL = "anmal"
    STRYK = "stryk"
    BESLUTA = "besluta"
    BESLUTA_PA_DELEGATION = "besluta_pa_delegation"
    ATERREMITTERA = "aterremittera"
    BORDLAGGA = "bordlagga"
    OVERLAMNA = "overlamna"
    EXPEDIERA = "expediera"
    BEVAKA = "bevaka"
    AVSLUTA = "avsluta"
    AVSLUTA_ATERRAPPORTERAT = "avsluta_aterrapporterat"
    VILA = "vila"
    ATERUPPTA = "ateruppta"
    AVSKRIVA = "avskriva"
    AVSLUTA_UTAN_NYTT_BESLUT = "avsluta_utan_nytt_beslut"
    ANDRA_SEKRETESS = "andra_sekretess"
    RATTELSE = "rattelse"
    ATEROPPNA = "ateroppna"
    MAKULERA = "makulera"


class ArendeArbetslista(StrEnum):
    ALLA_ARENDEN = "alla_arenden"
    ALLA_SEKRETESSBEHORIGA = "alla_sekretessbehoriga"
    ALLA_I_DIARIET = "alla_i_diariet"
    ALLA_MINA_ARENDEN = "alla_mina_arenden"
    ATT_TILLDELA = "att_tilldela"
    MINA_ARENDEN = "mina_arenden"
    KLARA_FOR_BESLUT = "klara_for_beslut"
    ATT_EXPEDIERA = "att_expediera"
    ATERRAPPORTERING_BEVAKAS = "aterrapportering_bevakas"


# -- the sammanträde (flows/sammantrade.py) ------------------------------------------------


class SammantradeStatus(StrEnum):
    PLANERAT = "planerat"
    KALLAT = "kallat"
    GENOMFORT = "genomfort"
    JUSTERAT = "justerat"
    JUSTERAT_UTAN_ANSLAG = "justerat_utan_anslag"
    ANSLAGET = "anslaget"
    INSTALLT = "installt"


class SammantradeSteg(StrEnum):
    KALLA = "kalla"
    GENOMFOR = "genomfor"
    JUSTERA = "justera"
    JUSTERA_UTAN_ANSLAG = "justera_utan_anslag"
    ANSLA = "ansla"
    RATTA = "ratta"
    JUSTERA_PARAGRAF = "justera_paragraf"
    FORESLA_RATTELSE = "foresla_rattelse"
    SIGNERA_RATTELSE = "signera_rattelse"
    INSTALLA = "installa"


class SammantradeArbetslista(StrEnum):
    ALLA_SAMMANTRADEN = "alla_sammantraden"
    ATT_JUSTERA = "att_justera"
    ATT_ANSLA = "att_ansla"
    KOMMANDE_SAMMANTRADEN = "kommande_sammantraden"


# -- the begäran om allmän handling (flows/begaran.py) --------------------------------------


class BegaranStatus(StrEnum):
    INKOMMEN = "inkommen"
    UTLAMNAD = "utlamnad"
    DELVIS_UTLAMNAD = "delvis_utlamnad"
    AVSLAGEN = "avslagen"


class BegaranSteg(StrEnum):
    LAMNA_UT = "lamna_ut"
    LAMNA_UT_MASKERAT = "lamna_ut_maskerat"
    AVSLA = "avsla"


class BegaranArbetslista(StrEnum):
    BEGARANDEN = "begaranden"
