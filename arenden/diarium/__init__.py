"""The registrator's diarium: ärenden and their handlingar, diarienummer, registration, search,
sekretess marking (OSL 5 kap.)."""
